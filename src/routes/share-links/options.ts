import { HttpError } from '../../core/http-error.js';
import { MAX_PASSWORD_BYTES } from '../../sharing/password.js';
import { parseDuration } from '../../sharing/duration.js';

const DAY = 86400;
export const MAX_NOTE_CHARS = 2000;

/**
 * `expiresIn` of a link (seconds, `7d`…, or `never`) → when it expires (null: never), within
 * `maxDays` (0: no cap, `never` allowed). `fallbackDays` when it is absent.
 */
export function linkExpiry(raw: unknown, maxDays: number, fallbackDays: number, now: number): string | null {
  const seconds = raw === undefined || raw === null || raw === '' ? (maxDays === 0 ? fallbackDays * DAY : Math.min(fallbackDays, maxDays) * DAY) : parseDuration(String(raw));
  const cap = maxDays === 0 ? 'no limit; "never" allowed' : `at most ${maxDays} days`;
  if (seconds === undefined) throw new HttpError(400, 'bad_expiry', `expiresIn must be seconds, a number with s/m/h/d/w, or "never" (${cap})`);
  if (seconds === Infinity) {
    if (maxDays !== 0) throw new HttpError(400, 'bad_expiry', `links must expire here (at most ${maxDays} days)`);
    return null;
  }
  if (maxDays !== 0 && seconds > maxDays * DAY) throw new HttpError(400, 'bad_expiry', `expiresIn is longer than the ${maxDays} days allowed`);
  return new Date(now + seconds * 1000).toISOString();
}

export function positiveCount(raw: unknown, field: string, max = 1_000_000): number | null {
  if (raw === undefined || raw === null || raw === '' || raw === 0 || raw === '0') return null;
  const value = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw new HttpError(400, `bad_${field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}`, `${field} must be a whole number from 1 to ${max}`);
  }
  return value;
}

export function optionalText(raw: unknown, field: string, maxChars: number): string {
  if (raw === undefined || raw === null) return '';
  if (typeof raw !== 'string' || raw.length > maxChars || !raw.isWellFormed()) {
    throw new HttpError(400, `bad_${field}`, `${field} must be text of at most ${maxChars} characters`);
  }
  return raw;
}

export function optionalPassword(raw: unknown): string | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  if (typeof raw !== 'string' || Buffer.byteLength(raw) > MAX_PASSWORD_BYTES) {
    throw new HttpError(400, 'bad_password', `password must be text of at most ${MAX_PASSWORD_BYTES} bytes`);
  }
  return raw;
}
