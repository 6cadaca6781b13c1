import type { ScopeWord } from '../auth/principal.js';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Records } from '../storage/records.js';

/** An authorization code (RFC 6749 §4.1) waiting to be exchanged for a token, once. */
export interface PendingCode {
  user: string;
  client: string;
  redirectUri: string;
  scopes: ScopeWord[];
  grant: string;
  /** PKCE (RFC 7636): base64url(sha256(code_verifier)). */
  challenge: string;
  expires: number;
}

export const CODES = 'oauth-codes';
/** RFC 6749 §4.1.2: short-lived; ten minutes at most. */
export const CODE_SECONDS = 60;

// Kept under the code's hash: the records never hold a code that could be exchanged.
const keyOf = (code: string) => createHash('sha256').update(code).digest('hex');

export async function issueCode(records: Records, pending: PendingCode): Promise<string> {
  const code = randomBytes(32).toString('base64url');
  await records.update<PendingCode>(CODES, keyOf(code), () => pending);
  return code;
}

/** Takes the code out (a second exchange finds nothing); undefined when unknown or expired. */
export async function redeemCode(records: Records, code: string, nowMs: number): Promise<PendingCode | undefined> {
  if (code === '' || code.length > 256) return undefined;
  let taken: PendingCode | undefined;
  await records.update<PendingCode>(CODES, keyOf(code), (current) => {
    taken = current;
    return undefined;
  });
  return taken && taken.expires > nowMs ? taken : undefined;
}

/** RFC 7636 §4.6, S256: base64url(sha256(verifier)) equals the challenge. */
export function verifierMatches(verifier: string, challenge: string): boolean {
  if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier)) return false;
  const computed = Buffer.from(createHash('sha256').update(verifier).digest('base64url'));
  const expected = Buffer.from(challenge);
  return computed.length === expected.length && timingSafeEqual(computed, expected);
}
