import { open } from 'node:fs/promises';
import { auditPaths, type AuditEntry } from './entry.js';

export interface AuditFilter {
  user?: string;
  action?: string;
  /** Only entries at or after this time. */
  since?: Date;
}

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 7 * 86400 };

/** `7d`, `12h`, `30m`, `45s`, `2w` → seconds; undefined when it is not such a duration. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d{1,9})\s*([smhdw])$/i.exec(text.trim());
  return match ? Number(match[1]) * UNITS[match[2]!.toLowerCase()]! : undefined;
}

/** A duration before now (`7d`) or a date (`2026-11-01`, any ISO time); undefined when it is neither. */
export function parseSince(text: string, now = Date.now()): Date | undefined {
  const seconds = parseDuration(text);
  if (seconds !== undefined) return new Date(now - seconds * 1000);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return undefined;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

export function matches(entry: AuditEntry, filter: AuditFilter): boolean {
  if (filter.user !== undefined && entry.user !== filter.user) return false;
  if (filter.action !== undefined && entry.action !== filter.action) return false;
  if (filter.since !== undefined && !(Date.parse(entry.time) >= filter.since.getTime())) return false;
  return true;
}

/** Every whole line of the trail (the rotated log, then the current one), oldest first; a line that is not JSON (a hand edit) is skipped. */
export async function* readEntries(storageDir: string): AsyncIterable<AuditEntry> {
  const paths = auditPaths(storageDir);
  yield* readLog(paths.previous);
  yield* readLog(paths.log);
}

async function* readLog(path: string): AsyncIterable<AuditEntry> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  try {
    for await (const line of handle.readLines()) {
      if (line === '') continue;
      try {
        yield JSON.parse(line) as AuditEntry;
      } catch {
        // Not ours; skip it rather than hide the rest of the trail.
      }
    }
  } finally {
    await handle.close();
  }
}

/** Matching entries, newest first, at most `limit` of them. */
export async function queryEntries(storageDir: string, filter: AuditFilter, limit = Infinity): Promise<AuditEntry[]> {
  const found: AuditEntry[] = [];
  for await (const entry of readEntries(storageDir)) {
    if (!matches(entry, filter)) continue;
    found.push(entry);
    if (found.length > limit) found.shift();
  }
  return found.reverse();
}
