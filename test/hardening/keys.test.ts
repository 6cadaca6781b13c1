import { createPublicKey, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { makeFixture } from '../helpers/fixture.js';
import { uploadFile } from '../helpers/http.js';
import { makeKeyPair } from '../helpers/keys.js';
import { bdfu } from '../helpers/run.js';
import { startBdfu } from '../helpers/serve.js';
import { hs256 } from './bad-input-cases.js';
import { childEnv } from '../helpers/child-env.js';

const now = () => Math.floor(Date.now() / 1000);
const keysDir = makeFixture('keys').dir;
const rsa = makeKeyPair(keysDir, 'rsa-2026', 'rsa');
const ec = makeKeyPair(keysDir, 'ec-2026', 'ec');
const ed = makeKeyPair(keysDir, 'ed-2026', 'ed25519');
const old = makeKeyPair(keysDir, 'rsa-2025', 'rsa');

async function genToken(args: string[]): Promise<string> {
  const ran = await bdfu(['gen-token', ...args]);
  if (ran.code !== 0) throw new Error(ran.stderr);
  return ran.stdout.trim();
}

async function serve(t: Test, settings: Record<string, string | number | string[]>) {
  const fixture = makeFixture('keys-serve', settings);
  // No JWT_SECRET_KEY unless the test gives one: the fixture's line is overwritten.
  if (!('JWT_SECRET_KEY' in settings)) {
    const lines = Object.entries(settings).map(([k, v]) => `${k} = ${Array.isArray(v) ? `[${v.map((x) => `'${x}'`).join(', ')}]` : typeof v === 'number' ? v : `'${v}'`}`);
    writeFileSync(fixture.config, [`STORAGE_DIR = '${fixture.storageDir}'`, ...lines].join('\n') + '\n');
  }
  const served = await startBdfu([fixture.config]);
  t.teardown(() => served.stop());
  return { url: served.url, fixture };
}

t.test('PEM public keys: RS256, ES256 and EdDSA tokens from `gen-token --key`', async (t) => {
  const { url } = await serve(t, { JWT_PUBLIC_KEYS: [rsa.publicPath, ec.publicPath, ed.publicPath] });
  for (const pair of [rsa, ec, ed]) {
    const withKid = await genToken(['alice', '--key', pair.privatePath, '--kid', pair.kid]);
    const reply = await uploadFile(url, withKid, randomBytes(100));
    t.equal(reply.status, 201, `${pair.kid} with its kid: ${reply.text}`);
    const noKid = await genToken(['alice', '--key', pair.privatePath]);
    t.equal((await uploadFile(url, noKid, randomBytes(100))).status, 201, `${pair.kid} without a kid`);
  }
  const wrongKid = await genToken(['alice', '--key', ec.privatePath, '--kid', rsa.kid]);
  const refused = await uploadFile(url, wrongKid, randomBytes(10));
  t.equal(refused.status, 401, 'an EC signature under the RSA key id');
  t.equal(refused.json.code, 'token_bad_algorithm', 'the RSA key only ever verifies RS256');
  const unknown = await uploadFile(url, await genToken(['alice', '--key', old.privatePath, '--kid', old.kid]), randomBytes(10));
  t.equal(unknown.json.code, 'token_unknown_key');
  const stranger = await uploadFile(url, await genToken(['alice', '--key', old.privatePath]), randomBytes(10));
  t.equal(stranger.json.code, 'token_bad_signature', 'no kid, no configured key verifies it');
});

t.test('a server with only an RSA public key: algorithm confusion and HS256 are refused', async (t) => {
  const { url } = await serve(t, { JWT_PUBLIC_KEYS: [rsa.publicPath] });
  const claims = { user: 'alice', exp: now() + 60 };
  for (const [name, secret] of [
    ['the PEM', rsa.publicPem],
    ['the PEM without its final newline', rsa.publicPem.trim()],
    ['the DER', new Uint8Array(createPublicKey(rsa.publicPem).export({ type: 'spki', format: 'der' }))],
  ] as const) {
    for (const header of [{}, { kid: rsa.kid }]) {
      const reply = await uploadFile(url, await hs256(claims, secret, header), randomBytes(10));
      t.equal(reply.status, 401, `HS256 over ${name} ${JSON.stringify(header)}`);
      t.equal(reply.json.code, 'token_bad_algorithm');
      t.match(reply.json.error, /accepted: RS256\)/);
    }
  }
  const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;
  t.equal((await uploadFile(url, none, randomBytes(10))).json.code, 'token_bad_algorithm');
});

t.test('a JWKS file, and rotation by kid', async (t) => {
  const jwk = (pair: typeof rsa) => ({ ...createPublicKey(pair.publicPem).export({ format: 'jwk' }), kid: pair.kid });
  const jwks = join(keysDir, 'jwks.json');
  writeFileSync(jwks, JSON.stringify({ keys: [jwk(old), jwk(rsa), jwk(ed)] }));
  const both = await serve(t, { JWT_JWKS_FILE: jwks });
  const oldToken = await genToken(['alice', '--key', old.privatePath, '--kid', old.kid]);
  const newToken = await genToken(['alice', '--key', rsa.privatePath, '--kid', rsa.kid]);
  t.equal((await uploadFile(both.url, oldToken, randomBytes(10))).status, 201, 'the old key, while both are listed');
  t.equal((await uploadFile(both.url, newToken, randomBytes(10))).status, 201, 'the new key');
  t.equal((await uploadFile(both.url, await genToken(['alice', '--key', ed.privatePath, '--kid', ed.kid]), randomBytes(10))).status, 201, 'EdDSA from a JWK');

  writeFileSync(jwks, JSON.stringify({ keys: [jwk(rsa)] }));
  const rotated = await serve(t, { JWT_JWKS_FILE: jwks });
  const refused = await uploadFile(rotated.url, oldToken, randomBytes(10));
  t.equal(refused.status, 401, 'the old key, once removed');
  t.equal(refused.json.code, 'token_unknown_key');
  t.equal((await uploadFile(rotated.url, newToken, randomBytes(10))).status, 201);
});

t.test('previous HS256 secrets verify, and only verify', async (t) => {
  const previous = randomBytes(24).toString('hex');
  const { url } = await serve(t, { JWT_SECRET_KEY: randomBytes(24).toString('hex'), JWT_PREVIOUS_SECRETS: [previous] });
  t.equal((await uploadFile(url, await genToken(['alice', previous]), randomBytes(10))).status, 201, 'a token made with the previous secret');
  const wrong = await uploadFile(url, await genToken(['alice', randomBytes(24).toString('hex')]), randomBytes(10));
  t.equal(wrong.json.code, 'token_bad_signature');
});

t.test('key settings are checked at start-up, with one clear line', async (t) => {
  const p384 = makeKeyPair(keysDir, 'p384', 'ec-p384');
  const weak = makeKeyPair(keysDir, 'weak', 'rsa-1024');
  const noKid = join(keysDir, 'nokid.json');
  writeFileSync(noKid, JSON.stringify({ keys: [createPublicKey(rsa.publicPem).export({ format: 'jwk' })] }));
  const dup = join(keysDir, 'dup.json');
  writeFileSync(dup, JSON.stringify({ keys: [{ ...createPublicKey(ec.publicPem).export({ format: 'jwk' }), kid: rsa.kid }] }));
  const cases: [string, Record<string, string | string[]>, RegExp][] = [
    ['a private key given as public', { JWT_PUBLIC_KEYS: [rsa.privatePath] }, /private key/],
    ['an unsupported curve', { JWT_PUBLIC_KEYS: [p384.publicPath] }, /unsupported key type ec \(secp384r1\)/],
    ['a short RSA key', { JWT_PUBLIC_KEYS: [weak.publicPath] }, /at least 2048 bits/],
    ['a missing key file', { JWT_PUBLIC_KEYS: [join(keysDir, 'nope.pem')] }, /cannot read the public key file .*nope\.pem: ENOENT/],
    ['a JWKS key without kid', { JWT_JWKS_FILE: noKid }, /has no kid/],
    ['two keys with one kid', { JWT_PUBLIC_KEYS: [rsa.publicPath], JWT_JWKS_FILE: dup }, /kid\) rsa-2026/],
    ['no key at all', {}, /JWT_SECRET_KEY is not set/],
  ];
  for (const [name, settings, message] of cases) {
    const fixture = makeFixture('keys-bad');
    const lines = Object.entries(settings).map(([k, v]) => `${k} = ${Array.isArray(v) ? `[${v.map((x) => `'${x}'`).join(', ')}]` : `'${v}'`}`);
    writeFileSync(fixture.config, [`STORAGE_DIR = '${fixture.storageDir}'`, ...lines].join('\n') + '\n');
    const ran = await bdfu(['serve', fixture.config, '--port', '0'], { env: childEnv() });
    t.not(ran.code, 0, `${name}: refuses to start`);
    t.match(ran.stderr, message, `${name}: says why`);
    t.notMatch(ran.stderr, /\n\s+at /, `${name}: no stack trace`);
  }
});

t.test('gen-token --key: clear errors', async (t) => {
  const both = await bdfu(['gen-token', 'alice', 'secret', '--key', rsa.privatePath]);
  t.not(both.code, 0);
  t.match(both.stderr, /either a secret or --key/);
  const publicOnly = await bdfu(['gen-token', 'alice', '--key', rsa.publicPath]);
  t.not(publicOnly.code, 0);
  t.match(publicOnly.stderr, /not a PEM private key/);
  const neither = await bdfu(['gen-token', 'alice']);
  t.not(neither.code, 0);
  t.match(neither.stderr, /secret, or --key/);
});
