import type { PoolClient } from 'pg';
import { StorageError } from '../errors.js';
import type { Quota } from '../store.js';

/**
 * The user's usage (bytes and files, held or committed), changed only inside the caller's
 * transaction under the user's row lock, so concurrent writers on any instance never overshoot.
 */
export interface QuotaLedger {
  /** Adds to the user's usage; 'quota' when that would pass `quota` (0: no limit). */
  charge(client: PoolClient, user: string, bytes: number, files: number, quota: Quota): Promise<void>;
  /** Bytes the user may still add (Infinity without a byte limit). */
  room(client: PoolClient, user: string, quota: Quota): Promise<number>;
  /** Takes back what was charged. */
  release(client: PoolClient, user: string, bytes: number, files: number): Promise<void>;
}

export const USAGE_SCHEMA: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS bdfu_usage (
    username text PRIMARY KEY,
    bytes bigint NOT NULL DEFAULT 0,
    files bigint NOT NULL DEFAULT 0
  )`,
];

async function lockedUsage(client: PoolClient, user: string): Promise<{ bytes: number; files: number }> {
  await client.query('INSERT INTO bdfu_usage (username) VALUES ($1) ON CONFLICT DO NOTHING', [user]);
  const { rows } = await client.query<{ bytes: string; files: string }>(
    'SELECT bytes, files FROM bdfu_usage WHERE username = $1 FOR UPDATE', [user]);
  return { bytes: Number(rows[0]!.bytes), files: Number(rows[0]!.files) };
}

/** A ledger over one counter row per user (`bdfu_usage`). */
export const usageLedger: QuotaLedger = {
  async charge(client, user, bytes, files, quota) {
    const used = await lockedUsage(client, user);
    if (quota.files > 0 && files > 0 && used.files + files > quota.files) {
      throw new StorageError('quota', `quota exceeded: ${user} has ${used.files} of ${quota.files} files allowed (uploads in flight included)`,
        { details: { used: used.files, allowed: quota.files, unit: 'files' } });
    }
    if (quota.bytes > 0 && bytes > 0 && used.bytes + bytes > quota.bytes) {
      throw new StorageError('quota', `quota exceeded: ${user} uses ${used.bytes} of ${quota.bytes} bytes allowed (uploads in flight included), and this needs ${bytes}`,
        { details: { used: used.bytes, allowed: quota.bytes, unit: 'bytes' } });
    }
    await client.query('UPDATE bdfu_usage SET bytes = bytes + $2, files = files + $3 WHERE username = $1', [user, bytes, files]);
  },
  async room(client, user, quota) {
    if (quota.bytes === 0) return Infinity;
    const used = await lockedUsage(client, user);
    return Math.max(0, quota.bytes - used.bytes);
  },
  async release(client, user, bytes, files) {
    if (bytes === 0 && files === 0) return;
    await client.query('UPDATE bdfu_usage SET bytes = GREATEST(0, bytes - $2), files = GREATEST(0, files - $3) WHERE username = $1',
      [user, bytes, files]);
  },
};
