import type { AuditEntry } from './entry.js';

const HOUR_MS = 3_600_000;

/**
 * What an anonymized entry keeps: what happened (action, outcome, error code), how often
 * (suppressed counts), and the hour it happened in. Gone: user, address, owner (names and
 * addresses of people), id and name (they point to a stored file, so to its owner), bytes and
 * the exact time (they can be matched to a stored file's size and upload time).
 */
export function anonymousEntry(entry: AuditEntry): AuditEntry {
  const time = Date.parse(entry.time);
  const anonymous: AuditEntry = {
    time: Number.isNaN(time) ? entry.time : new Date(Math.floor(time / HOUR_MS) * HOUR_MS).toISOString(),
    user: null,
    address: null,
    action: entry.action,
    outcome: entry.outcome,
  };
  if (entry.code !== undefined) anonymous.code = entry.code;
  if (entry.suppressed !== undefined) anonymous.suppressed = entry.suppressed;
  anonymous.anonymized = true;
  return anonymous;
}
