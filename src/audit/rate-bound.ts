import { isIP } from 'node:net';
import { mkdir, open, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { AuditEntry } from './entry.js';

/**
 * Refused (and failed) requests are written to the audit trail at most `perMinute` times per
 * client address and minute; IPv6 addresses count per /64 (one host's usual share). Beyond
 * that they are counted, and the count is written as one summary entry
 * (`action: "summary", suppressed: N`) with the address's first refused request of a later
 * minute, or by the next sweep. The counts live on disk (one byte per request in
 * STORAGE_DIR/.audit.refused/<address>.<minute>), so separate CGI processes share them.
 */
export const COUNTER_DIR = '.audit.refused';
const MINUTE_MS = 60_000;

/** The address refused requests are counted under: IPv4 as it is, IPv6 as its /64. */
export function addressKey(address: string | null): string {
  if (!address) return 'unknown';
  if (isIP(address) !== 6) return isIP(address) === 4 ? address : 'unknown';
  const [head = '', tail = ''] = address.toLowerCase().split('::');
  const left = head === '' ? [] : head.split(':');
  const right = address.includes('::') ? (tail === '' ? [] : tail.split(':')) : [];
  const groups = address.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((group) => group.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

export interface RefusedVerdict {
  /** Whether this request's own entry is written. */
  write: boolean;
  /** A summary of an earlier minute to write first, if its bound was crossed. */
  summary?: AuditEntry;
}

function summaryEntry(key: string, suppressed: number, now: Date): AuditEntry {
  return { time: now.toISOString(), user: null, address: key, action: 'summary', outcome: 'refused', suppressed };
}

async function sizeOf(path: string): Promise<number> {
  return stat(path).then((info) => info.size, () => 0);
}

/** Counts one refused request of `address` and says what to write. */
export async function countRefused(storageDir: string, address: string | null, perMinute: number, now = new Date()): Promise<RefusedVerdict> {
  const dir = join(storageDir, COUNTER_DIR);
  const key = addressKey(address);
  const minute = Math.floor(now.getTime() / MINUTE_MS);
  const counter = join(dir, `${encodeURIComponent(key)}.${minute}`);
  let handle;
  try {
    handle = await open(counter, 'a', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await mkdir(dir, { recursive: true, mode: 0o700 });
    handle = await open(counter, 'a', 0o600);
  }
  let ordinal: number;
  try {
    // O_APPEND: concurrent processes each add their byte; the size after ours is our number.
    await handle.write(Buffer.from('.'));
    ordinal = (await handle.stat()).size;
  } finally {
    await handle.close();
  }
  const verdict: RefusedVerdict = { write: ordinal <= perMinute };
  if (ordinal === 1) {
    const previous = join(dir, `${encodeURIComponent(key)}.${minute - 1}`);
    const count = await sizeOf(previous);
    if (count > perMinute) verdict.summary = summaryEntry(key, count - perMinute, now);
    await rm(previous, { force: true });
  }
  return verdict;
}

/** Removes counters of minutes before the last; returns the summaries of those whose bound was crossed, to write. */
export async function sweepRefusedCounters(storageDir: string, perMinute: number, now = new Date()): Promise<AuditEntry[]> {
  const dir = join(storageDir, COUNTER_DIR);
  const current = Math.floor(now.getTime() / MINUTE_MS);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const summaries: AuditEntry[] = [];
  for (const name of names) {
    const match = /^(.+)\.(\d+)$/.exec(name);
    if (match && Number(match[2]) >= current - 1) continue;
    const path = join(dir, name);
    const count = await sizeOf(path);
    await rm(path, { force: true });
    if (match && count > perMinute) summaries.push(summaryEntry(decodeURIComponent(match[1]!), count - perMinute, now));
  }
  return summaries;
}
