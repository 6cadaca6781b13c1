import type { PoolClient } from 'pg';
import { postgresFailure } from '../postgres/errors.js';
import type { Database } from '../postgres/pool.js';

/** Runs `work` in one transaction on `client` (COMMIT, or ROLLBACK on any throw). */
export async function inTransactionOn<T>(client: PoolClient, work: (client: PoolClient) => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** Runs `work` in one transaction on a pooled connection; PostgreSQL failures become StorageErrors. */
export async function inTransaction<T>(db: Database, work: (client: PoolClient) => Promise<T>): Promise<T> {
  let client: PoolClient;
  try {
    client = await db.pool.connect();
  } catch (error) {
    throw postgresFailure(error, db.where);
  }
  let broken: Error | undefined;
  try {
    return await inTransactionOn(client, work);
  } catch (error) {
    const failure = postgresFailure(error, db.where);
    if (failure.kind === 'unavailable') broken = failure;
    throw failure;
  } finally {
    client.release(broken);
  }
}
