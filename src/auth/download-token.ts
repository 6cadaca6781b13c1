import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A new per-file download token: 256 random bits, URL-safe. */
export function newDownloadToken(): string {
  return randomBytes(32).toString('base64url');
}

/** What is stored instead of the token. The token is random, so a fast hash is enough. */
export function hashDownloadToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

// Compared against when a file has no token, so the time taken says nothing about the file.
const NO_FILE = hashDownloadToken('');

/** Constant-time comparison of a presented token with a stored hash (undefined: no file or no token). */
export function downloadTokenMatches(token: string, storedHash: string | undefined): boolean {
  const expected = Buffer.from(storedHash && /^[0-9a-f]{64}$/.test(storedHash) ? storedHash : NO_FILE, 'hex');
  const presented = Buffer.from(hashDownloadToken(token), 'hex');
  return timingSafeEqual(expected, presented) && storedHash !== undefined && token !== '';
}
