import type { Settings } from '../../config/settings.js';
import { HttpError } from '../../core/http-error.js';
import { parseDuration } from '../../sharing/duration.js';

const DAY = 86400;

/**
 * When an upload expires: its `expires_in` (seconds, `12h`, `7d`…, `never` where
 * RETENTION_DAYS_MAX is 0), else RETENTION_DAYS_DEFAULT; undefined: kept until deleted.
 */
export function uploadExpiry(settings: Settings, raw: string | undefined, now: number): Date | undefined {
  const max = settings.retentionDaysMax;
  if (raw === undefined || raw.trim() === '') {
    return settings.retentionDaysDefault > 0 ? new Date(now + settings.retentionDaysDefault * DAY * 1000) : undefined;
  }
  const seconds = parseDuration(raw);
  const allowed = max > 0 ? `up to ${max} days` : 'or "never"';
  if (seconds === undefined) throw new HttpError(400, 'bad_expires_in', `expires_in must be seconds or a number with s/m/h/d/w (e.g. 7d), ${allowed}`);
  if (seconds === Infinity) {
    if (max > 0) throw new HttpError(400, 'bad_expires_in', `uploads here are kept at most ${max} days; expires_in cannot be "never"`);
    return undefined;
  }
  if (max > 0 && seconds > max * DAY) throw new HttpError(400, 'bad_expires_in', `expires_in is longer than the ${max} days uploads may be kept`);
  return new Date(now + seconds * 1000);
}
