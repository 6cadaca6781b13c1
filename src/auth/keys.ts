import { createPrivateKey, createPublicKey, webcrypto, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
// jose's subpath modules: its main entry loads all of jose, a cost every CGI request would pay.
import { importJWK, importPKCS8, importSPKI } from 'jose/key/import';
import type { CryptoKey, JWK } from 'jose';
import { ConfigError } from '../config/config-error.js';
import { jsonErrorPlace } from '../config/json-error-place.js';

/** The algorithms bdfu accepts, each tied to the one kind of key that may verify it. */
export type Algorithm = 'HS256' | 'RS256' | 'ES256' | 'EdDSA';

/** A key tokens may be verified with; its algorithm comes from the key, never from a token. */
export interface VerificationKey {
  alg: Algorithm;
  kid: string | undefined;
  key: CryptoKey | Uint8Array;
  /** Where it came from, for messages. */
  source: string;
}

export interface KeySettings {
  jwtSecretKey: string;
  jwtPreviousSecrets: readonly string[];
  jwtPublicKeys: readonly string[];
  jwtJwksFile: string;
}

/** RS256 for RSA, ES256 for P-256, EdDSA for Ed25519; any other key is refused. */
export function algorithmOf(key: KeyObject, source: string): Algorithm {
  const type = key.asymmetricKeyType;
  if (type === 'rsa') {
    if ((key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) throw new ConfigError(`${source}: RSA keys must have at least 2048 bits`);
    return 'RS256';
  }
  if (type === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  if (type === 'ed25519') return 'EdDSA';
  throw new ConfigError(`${source}: unsupported key type ${type}${key.asymmetricKeyDetails?.namedCurve ? ` (${key.asymmetricKeyDetails.namedCurve})` : ''}: use RSA, EC P-256 or Ed25519`);
}

/** The key id of a PEM file: its name without `.pem` / `.pub`. */
export function kidOfFile(path: string): string {
  return basename(path).replace(/(\.pub)?\.pem$/i, '').replace(/\.pub$/i, '');
}

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

async function pemKey(path: string): Promise<VerificationKey> {
  const pem = await readText(path, 'the public key file');
  let alg: Algorithm;
  try {
    alg = algorithmOf(createPublicKey(pem), path);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`${path} is not a PEM public key: ${(error as Error).message}`);
  }
  if (/PRIVATE KEY/.test(pem)) throw new ConfigError(`${path} holds a private key: give the server only the public key (openssl pkey -pubout)`);
  return { alg, kid: kidOfFile(path), key: await importSPKI(pem, alg), source: path };
}

function jwkAlgorithm(jwk: JWK, source: string): Algorithm {
  const expected: Algorithm | undefined = jwk.kty === 'RSA' ? 'RS256' : jwk.kty === 'EC' && jwk.crv === 'P-256' ? 'ES256' : jwk.kty === 'OKP' && jwk.crv === 'Ed25519' ? 'EdDSA' : undefined;
  if (!expected) throw new ConfigError(`${source}: unsupported key (kty ${jwk.kty}${jwk.crv ? `, crv ${jwk.crv}` : ''}): use RSA, EC P-256 or Ed25519`);
  if (jwk.alg !== undefined && jwk.alg !== expected && !(expected === 'EdDSA' && jwk.alg === 'Ed25519')) {
    throw new ConfigError(`${source}: alg ${jwk.alg} does not fit a ${jwk.kty} key (expected ${expected})`);
  }
  return expected;
}

async function jwksKeys(path: string): Promise<VerificationKey[]> {
  let jwks: unknown;
  const text = await readText(path, 'the JWKS file');
  try {
    jwks = JSON.parse(text);
  } catch {
    throw new ConfigError(`${path}: ${jsonErrorPlace(text)}`);
  }
  const keys = (jwks as { keys?: unknown }).keys;
  if (!Array.isArray(keys) || keys.length === 0) throw new ConfigError(`${path}: expected a JWKS, {"keys": [...]} with at least one key`);
  return Promise.all(
    keys.map(async (jwk: JWK, index) => {
      const source = `${path} key ${index}`;
      if (typeof jwk !== 'object' || jwk === null) throw new ConfigError(`${source} is not an object`);
      if (typeof jwk.kid !== 'string' || jwk.kid === '') throw new ConfigError(`${source} has no kid: every key needs one so it can be rotated`);
      if ('d' in jwk) throw new ConfigError(`${source} (${jwk.kid}) is a private key: the server needs only public keys`);
      const alg = jwkAlgorithm(jwk, source);
      try {
        const key = await importJWK(jwk, alg);
        if (key instanceof Uint8Array) throw new Error('a symmetric key');
        return { alg, kid: jwk.kid, key, source: `${path} (${jwk.kid})` };
      } catch (error) {
        throw new ConfigError(`${source} cannot be used: ${(error as Error).message}`);
      }
    }),
  );
}

/** Every key the settings name, read and checked; any problem is a ConfigError naming its file. */
export async function loadVerificationKeys(settings: KeySettings): Promise<VerificationKey[]> {
  // Imported once here: given raw bytes, jose imports the key again for every token (70 → 30 µs CPU each).
  const hmac = (secret: string) => webcrypto.subtle.importKey(
    'raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify'],
  ) as Promise<CryptoKey>;
  const keys: VerificationKey[] = [];
  if (settings.jwtSecretKey !== '') keys.push({ alg: 'HS256', kid: undefined, key: await hmac(settings.jwtSecretKey), source: 'JWT_SECRET_KEY' });
  for (const [index, secret] of settings.jwtPreviousSecrets.entries()) {
    keys.push({ alg: 'HS256', kid: undefined, key: await hmac(secret), source: `JWT_PREVIOUS_SECRETS[${index}]` });
  }
  for (const path of settings.jwtPublicKeys) keys.push(await pemKey(path));
  if (settings.jwtJwksFile !== '') keys.push(...(await jwksKeys(settings.jwtJwksFile)));
  const kids = keys.map((k) => k.kid).filter((kid) => kid !== undefined);
  const duplicate = kids.find((kid, index) => kids.indexOf(kid) !== index);
  if (duplicate) throw new ConfigError(`two public keys have the key id (kid) ${duplicate}: give each a distinct name`);
  if (keys.length === 0) throw new ConfigError('no key to verify tokens with: set JWT_SECRET_KEY, JWT_PUBLIC_KEYS or JWT_JWKS_FILE');
  return keys;
}

/** A private key for `bdfu gen-token --key`: the algorithm follows from the key. */
export async function loadSigningKey(path: string): Promise<{ alg: Algorithm; key: CryptoKey }> {
  const pem = await readText(path, 'the private key file');
  let alg: Algorithm;
  try {
    alg = algorithmOf(createPrivateKey(pem), path);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`${path} is not a PEM private key: ${(error as Error).message}`);
  }
  const pkcs8 = createPrivateKey(pem).export({ format: 'pem', type: 'pkcs8' }).toString();
  return { alg, key: await importPKCS8(pkcs8, alg) };
}
