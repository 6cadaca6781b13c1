import type { PoolClient } from 'pg';
import { QuotaExceededError, type Quota } from '../store.js';

/**
 * What user $1 uses, counted from the rows themselves (no counter to drift): finished files,
 * room held for whole uploads in flight, what resumable sessions hold, and every kept document
 * version. Run it under the user's row lock (bdfu_users … FOR UPDATE).
 */
export const USAGE_SQL = `SELECT (SELECT coalesce(sum(size), 0) FROM bdfu_files WHERE user_name = $1)
          + (SELECT coalesce(sum(bytes), 0) FROM bdfu_reservations WHERE user_name = $1)
          + (SELECT coalesce(sum(held_bytes), 0) FROM bdfu_sessions WHERE username = $1)
          + (SELECT coalesce(sum(size), 0) FROM bdfu_document_versions WHERE username = $1) AS bytes,
            (SELECT count(*) FROM bdfu_files WHERE user_name = $1)
          + (SELECT count(*) FROM bdfu_reservations WHERE user_name = $1)
          + (SELECT coalesce(sum(held_files), 0) FROM bdfu_sessions WHERE username = $1) AS files`;

export interface Usage {
  bytes: number;
  files: number;
}

/**
 * What a user uses (USAGE_SQL), after taking the user's row lock (bdfu_users … FOR UPDATE), so
 * whoever decides a quota — a whole upload, a session, a document write — does it one at a time
 * per user, on any instance, and the row it then writes is counted by the next one.
 */
export async function lockedUsage(client: PoolClient, user: string): Promise<Usage> {
  await client.query('INSERT INTO bdfu_users (name) VALUES ($1) ON CONFLICT DO NOTHING', [user]);
  await client.query('SELECT name FROM bdfu_users WHERE name = $1 FOR UPDATE', [user]);
  const { rows } = await client.query<{ bytes: string; files: string }>(USAGE_SQL, [user]);
  return { bytes: Number(rows[0]!.bytes), files: Number(rows[0]!.files) };
}

/** Bytes the user may still add (Infinity without a byte limit); takes the user's lock. */
export async function roomLeft(client: PoolClient, user: string, quota: Quota): Promise<number> {
  const used = await lockedUsage(client, user);
  return quota.bytes === 0 ? Infinity : Math.max(0, quota.bytes - used.bytes);
}

/**
 * QuotaExceededError (kind 'quota') unless `bytes` and `files` more fit the user's quota (0: no limit); takes the user's
 * lock, which the caller's transaction keeps until it has written the rows that hold them.
 */
export async function checkQuota(client: PoolClient, user: string, bytes: number, files: number, quota: Quota): Promise<void> {
  const used = await lockedUsage(client, user);
  if (quota.files > 0 && files > 0 && used.files + files > quota.files) {
    throw new QuotaExceededError(`quota exceeded: ${user} has ${used.files} of ${quota.files} files allowed (uploads in flight included)`,
      used.files, quota.files, 'files');
  }
  if (quota.bytes > 0 && bytes > 0 && used.bytes + bytes > quota.bytes) {
    throw new QuotaExceededError(`quota exceeded: ${user} uses ${used.bytes} of ${quota.bytes} bytes allowed (uploads in flight and kept versions included), and this needs ${bytes}`,
      used.bytes, quota.bytes, 'bytes');
  }
}
