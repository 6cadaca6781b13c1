// jose's subpath modules: its main entry loads all of jose's modules (JWE, JWKS…), a cost
// every CGI request would pay; these load the few that JWT verification needs.
import { decodeProtectedHeader } from 'jose/decode/protected_header';
import * as errors from 'jose/errors';
import { jwtVerify } from 'jose/jwt/verify';
import { SignJWT } from 'jose/jwt/sign';
import type { CryptoKey, JWTPayload, ProtectedHeaderParameters } from 'jose';
import { ConfigError } from '../config/config-error.js';
import { configFailure } from '../core/config-failure.js';
import { HttpError } from '../core/http-error.js';
import { loadVerificationKeys, type Algorithm, type KeySettings, type VerificationKey } from './keys.js';
import { userNameProblem } from '../storage/user-name.js';
import { unauthorized } from './bearer.js';
import { VerifiedTokens, type CheckedToken } from './verified-tokens.js';
import { parseModuleScopes, parseScopes, type AppGrant, type Principal, type ScopeWord } from './principal.js';

export interface VerifierOptions {
  /** The HS256 secret; a shorthand for `keys: { jwtSecretKey: secret }`. */
  secret?: string;
  keys?: Partial<KeySettings>;
  clockSkewSeconds: number;
  /** TOKEN_MAX_LIFETIME_SECONDS: `exp` may lie at most this far ahead; no limit when absent. */
  maxLifetimeSeconds?: number;
  now?: () => number;
  /** Whether an app's approval still stands (OAuth tokens); without it such tokens are refused. */
  appApproved?: (user: string, app: AppGrant) => Promise<boolean>;
}

export type TokenVerifier = ((token: string) => Promise<Principal>) & {
  /** Resolves once every configured key was read; rejects with a ConfigError naming the bad one. */
  ready: Promise<unknown>;
};

/** Longer than any token bdfu makes by far; more is refused before any parsing. */
export const MAX_TOKEN_LENGTH = 8192;

function describe(error: unknown, accepted: readonly Algorithm[]): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof errors.JWTExpired) return unauthorized('token_expired', 'the token has expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return unauthorized('token_not_yet_valid', 'the token is not valid yet (nbf is in the future)');
    return unauthorized('token_invalid_claims', `the token's ${error.claim} claim is invalid`);
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return unauthorized('token_bad_signature', 'the token signature does not verify (signed with another secret?)');
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return unauthorized('token_bad_algorithm', `the token's algorithm is not accepted (accepted: ${accepted.join(', ')})`);
  }
  return unauthorized('token_malformed', 'the token is not a well-formed JWT');
}

function userFrom(payload: JWTPayload): string {
  const { user, sub } = payload;
  if (user !== undefined && sub !== undefined && user !== sub) {
    throw unauthorized('token_invalid_claims', 'the token names two different users (user and sub claims differ)');
  }
  const name = user ?? sub;
  if (typeof name !== 'string') throw unauthorized('token_invalid_claims', 'the token names no user (claim user or sub)');
  const problem = userNameProblem(name);
  if (problem) throw new HttpError(400, 'invalid_user', `the user name ${JSON.stringify(name.slice(0, 80))} ${problem}`);
  return name;
}

/** A token must end (`exp`), and not later than the server allows: a token that never expires is a key to keep forever. */
function checkLifetime(payload: JWTPayload, maxSeconds: number | undefined, skew: number, now: number): void {
  if (typeof payload.exp !== 'number') {
    throw unauthorized('token_invalid_claims', 'the token has no exp (expiry) claim: bdfu accepts only tokens that expire (bdfu gen-token always sets it)');
  }
  if (maxSeconds !== undefined && payload.exp - now > maxSeconds + skew) {
    throw unauthorized('token_lifetime_too_long', `the token expires more than ${maxSeconds} s from now, longer than this server allows (TOKEN_MAX_LIFETIME_SECONDS)`);
  }
}

function maxSizeFrom(payload: JWTPayload): number | undefined {
  const claim = payload.max_size;
  if (claim === undefined) return undefined;
  if (typeof claim !== 'number' || !Number.isSafeInteger(claim) || claim < 0) {
    throw unauthorized('token_invalid_claims', 'the token max_size claim must be a whole number of bytes');
  }
  return claim;
}

/** The `azp` (the app) and `grant` claims of a token from the OAuth dialog; undefined for others. */
function appFrom(payload: JWTPayload): AppGrant | undefined {
  const { azp, grant } = payload;
  if (azp === undefined && grant === undefined) return undefined;
  if (typeof azp !== 'string' || typeof grant !== 'string') throw unauthorized('token_invalid_claims', 'the token azp and grant claims must both be strings');
  return { client: azp, grant };
}

function headerOf(token: string): ProtectedHeaderParameters {
  try {
    return decodeProtectedHeader(token);
  } catch {
    throw unauthorized('token_malformed', 'the token is not a well-formed JWT');
  }
}

/**
 * The keys a token may be checked against: those with its kid if it names one. Which algorithm
 * each key verifies is fixed by the key, so a token cannot pick (alg confusion, `none`).
 */
function candidates(keys: readonly VerificationKey[], header: ProtectedHeaderParameters): VerificationKey[] {
  if (header.kid === undefined) return [...keys];
  const named = keys.filter((key) => key.kid === header.kid);
  if (named.length === 0) {
    throw unauthorized('token_unknown_key', `the token names a key id (kid) this server does not know: ${JSON.stringify(String(header.kid).slice(0, 64))}`);
  }
  return named;
}

export function createTokenVerifier(options: VerifierOptions): TokenVerifier {
  const now = options.now ?? (() => Date.now() / 1000);
  const ready = loadVerificationKeys({
    jwtSecretKey: options.keys?.jwtSecretKey ?? options.secret ?? '',
    jwtPreviousSecrets: options.keys?.jwtPreviousSecrets ?? [],
    jwtPublicKeys: options.keys?.jwtPublicKeys ?? [],
    jwtJwksFile: options.keys?.jwtJwksFile ?? '',
  });
  ready.catch(() => undefined);

  async function check(token: string, keys: readonly VerificationKey[]) {
    if (token.length > MAX_TOKEN_LENGTH) throw unauthorized('token_malformed', `the token is longer than ${MAX_TOKEN_LENGTH} characters`);
    const header = headerOf(token);
    const accepted = [...new Set(keys.map((k) => k.alg))];
    let lastError: unknown;
    for (const candidate of candidates(keys, header)) {
      try {
        return await jwtVerify(token, candidate.key, {
          algorithms: [candidate.alg],
          clockTolerance: options.clockSkewSeconds,
          currentDate: new Date(now() * 1000),
        });
      } catch (error) {
        // Another key may fit; any other failure is about a token whose signature checked out.
        if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JOSEAlgNotAllowed) {
          if (!(lastError instanceof errors.JWSSignatureVerificationFailed)) lastError = error;
          continue;
        }
        throw describe(error, accepted);
      }
    }
    throw describe(lastError, accepted);
  }

  const verifiedTokens = new VerifiedTokens();
  async function checkOnce(token: string, keys: readonly VerificationKey[]): Promise<CheckedToken> {
    const known = verifiedTokens.get(token, now(), options.clockSkewSeconds);
    if (known) return known;
    const checked = await check(token, keys);
    verifiedTokens.add(token, checked);
    return checked;
  }

  const verify = async function verify(token: string): Promise<Principal> {
    let keys: VerificationKey[];
    try {
      keys = await ready;
    } catch (error) {
      if (error instanceof ConfigError) throw configFailure(error.message);
      throw error;
    }
    try {
      const { payload, protectedHeader } = await checkOnce(token, keys);
      // The original bdfu put `exp` in the header too, and its server reads only that one.
      const headerExp = protectedHeader.exp;
      if (typeof headerExp === 'number' && headerExp + options.clockSkewSeconds <= now()) {
        throw unauthorized('token_expired', 'the token has expired');
      }
      checkLifetime(payload, options.maxLifetimeSeconds, options.clockSkewSeconds, now());
      const scopes = parseScopes(payload.scope);
      if (!scopes) throw unauthorized('token_invalid_claims', 'the token scope claim must be a space-separated string');
      const maxSize = maxSizeFrom(payload);
      const modules = parseModuleScopes(payload.scope);
      const user = userFrom(payload);
      const app = appFrom(payload);
      if (app && !(await options.appApproved?.(user, app))) throw unauthorized('token_revoked', `the approval of ${app.client} was revoked: the app must ask again`);
      return { user, scopes, ...(maxSize === undefined ? {} : { maxSize }), ...(modules.size > 0 ? { modules } : {}), ...(app ? { app } : {}) };
    } catch (error) {
      throw describe(error, [...new Set(keys.map((k) => k.alg))]);
    }
  } as TokenVerifier;
  verify.ready = ready;
  return verify;
}

export interface SignOptions {
  user: string;
  /** The HS256 secret; or sign with `privateKey` instead. */
  secret?: string;
  privateKey?: { alg: Algorithm; key: CryptoKey };
  kid?: string;
  expiresIn: number;
  /** bdfu's scopes and remoteStorage's (`<module>:rw`). */
  scopes?: readonly ScopeWord[];
  maxSize?: number;
  now?: number;
  /** An app's token from the OAuth dialog: claims `azp` and `grant`. */
  app?: AppGrant;
}

/**
 * A token the original bdfu server accepts too: HS256, claims user/exp/nbf, and `exp` in the
 * header. With a private key: RS256, ES256 or EdDSA as the key dictates.
 */
export async function signToken(options: SignOptions): Promise<string> {
  const now = Math.floor(options.now ?? Date.now() / 1000);
  const exp = now + options.expiresIn;
  const payload: JWTPayload = { user: options.user, exp, nbf: now };
  if (options.scopes) payload.scope = options.scopes.join(' ');
  if (options.maxSize !== undefined) payload.max_size = options.maxSize;
  if (options.app) Object.assign(payload, { azp: options.app.client, grant: options.app.grant });
  const alg = options.privateKey?.alg ?? 'HS256';
  const key = options.privateKey?.key ?? new TextEncoder().encode(options.secret ?? '');
  if (!options.privateKey && !options.secret) throw new Error('signToken needs a secret or a private key');
  return new SignJWT(payload)
    .setProtectedHeader({ alg, typ: 'JWT', exp, ...(options.kid ? { kid: options.kid } : {}) })
    .sign(key);
}

