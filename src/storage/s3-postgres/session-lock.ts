import type { PoolClient } from 'pg';
import { StorageError } from '../errors.js';
import { postgresFailure } from '../postgres/errors.js';
import type { Database } from '../postgres/pool.js';

/** Advisory-lock keys of sessions: the first 64 bits of the (random, 128-bit) session id. */
const keyOf = (id: string): string => BigInt.asIntN(64, BigInt(`0x${id.slice(0, 16)}`)).toString();

/** A session's writer lock, held on its own connection: it dies with the connection (and so with its holder). */
export interface HeldLock {
  readonly client: PoolClient;
  release(): Promise<void>;
}

/**
 * Takes the locks of sessions `ids` (all on one connection) without waiting: 'locked' when
 * another writer (any process, any instance) holds one of them. A crashed holder's connection
 * closes and PostgreSQL frees its locks with it.
 */
export async function lockSession(db: Database, ...ids: string[]): Promise<HeldLock> {
  let client: PoolClient;
  try {
    client = await db.pool.connect();
  } catch (error) {
    throw postgresFailure(error, db.where);
  }
  const held: string[] = [];
  const unlockAll = async () => {
    for (const key of held) await client.query('SELECT pg_advisory_unlock($1::bigint)', [key]);
  };
  try {
    for (const id of ids) {
      const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS ok', [keyOf(id)]);
      if (rows[0]?.ok !== true) {
        await unlockAll();
        client.release();
        throw new StorageError('locked', 'another request is writing to this upload; try again when it is done');
      }
      held.push(keyOf(id));
    }
  } catch (error) {
    if (error instanceof StorageError) throw error;
    client.release(error as Error); // the connection goes, and any lock taken with it
    throw postgresFailure(error, db.where);
  }
  let released = false;
  return {
    client,
    async release() {
      if (released) return;
      released = true;
      try {
        await unlockAll();
        client.release();
      } catch (error) {
        client.release(error as Error);
      }
    },
  };
}

/** Runs `work` under session `id`'s lock. */
export async function withSessionLock<T>(db: Database, id: string, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const lock = await lockSession(db, id);
  try {
    return await work(lock.client);
  } finally {
    await lock.release();
  }
}
