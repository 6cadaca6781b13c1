// jose's subpath modules: its main entry loads all 46 of its modules (JWE, JWKS…), a cost
// every CGI request would pay; these load the dozen that HS256 JWTs need.
import { webcrypto } from 'node:crypto';
import * as errors from 'jose/errors';
import { jwtVerify } from 'jose/jwt/verify';
import { SignJWT } from 'jose/jwt/sign';
import type { JWTPayload } from 'jose';
import { HttpError } from '../core/http-error.js';
import { assertValidUserName } from '../storage/user-name.js';
import { unauthorized } from './bearer.js';
import { parseScopes, type Principal, type Scope } from './principal.js';

export interface VerifierOptions {
  secret: string;
  clockSkewSeconds: number;
  now?: () => number;
}

export type TokenVerifier = (token: string) => Promise<Principal>;

const ALGORITHMS = ['HS256'];

function describe(error: unknown): HttpError {
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
    return unauthorized('token_bad_algorithm', `the token's algorithm is not accepted (accepted: ${ALGORITHMS.join(', ')})`);
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
  assertValidUserName(name);
  return name;
}

export function createTokenVerifier(options: VerifierOptions): TokenVerifier {
  // Imported once: given raw bytes, jose imports the key again for every token (70 → 30 µs CPU each).
  let key: Promise<webcrypto.CryptoKey> | undefined;
  const hmacKey = () => (key ??= webcrypto.subtle.importKey(
    'raw', new TextEncoder().encode(options.secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify'],
  ));
  const now = options.now ?? (() => Date.now() / 1000);
  return async function verify(token: string): Promise<Principal> {
    try {
      const { payload, protectedHeader } = await jwtVerify(token, await hmacKey(), {
        algorithms: ALGORITHMS,
        clockTolerance: options.clockSkewSeconds,
        currentDate: new Date(now() * 1000),
      });
      // The original bdfu put `exp` in the header too, and its server reads only that one.
      const headerExp = protectedHeader.exp;
      if (typeof headerExp === 'number' && headerExp + options.clockSkewSeconds <= now()) {
        throw unauthorized('token_expired', 'the token has expired');
      }
      const scopes = parseScopes(payload.scope);
      if (!scopes) throw unauthorized('token_invalid_claims', 'the token scope claim must be a space-separated string');
      return { user: userFrom(payload), scopes };
    } catch (error) {
      throw describe(error);
    }
  };
}

export interface SignOptions {
  user: string;
  secret: string;
  expiresIn: number;
  scopes?: readonly Scope[];
  now?: number;
}

/** A token the original bdfu server accepts too: HS256, claims user/exp/nbf, and `exp` in the header. */
export async function signToken(options: SignOptions): Promise<string> {
  const now = Math.floor(options.now ?? Date.now() / 1000);
  const exp = now + options.expiresIn;
  const payload: JWTPayload = { user: options.user, exp, nbf: now };
  if (options.scopes) payload.scope = options.scopes.join(' ');
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT', exp })
    .sign(new TextEncoder().encode(options.secret));
}

