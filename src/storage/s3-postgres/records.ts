import type { Database } from '../postgres/pool.js';
import { assertCollectionName, assertRecordKey } from '../record-names.js';
import type { Records } from '../records.js';

/**
 * Records as rows of bdfu_records (value jsonb). update() is atomic across instances: a
 * transaction-scoped advisory lock on the (collection, key) pair serialises writers even when
 * the row does not exist yet, and the row is read FOR UPDATE.
 */
export class PostgresRecords implements Records {
  constructor(private readonly db: Database) {}

  async get<T>(collection: string, key: string): Promise<T | undefined> {
    const rows = await this.db.query<{ value: T }>('SELECT value FROM bdfu_records WHERE collection = $1 AND key = $2', [collection, key]);
    return rows[0]?.value;
  }

  async update<T>(collection: string, key: string, change: (current: T | undefined) => T | undefined): Promise<T | undefined> {
    assertCollectionName(collection);
    assertRecordKey(key);
    return this.db.transaction(async (tx) => {
      await tx.query("SELECT pg_advisory_xact_lock(hashtextextended($1 || chr(31) || $2, 0))", [collection, key]);
      const rows = await tx.query<{ value: T }>('SELECT value FROM bdfu_records WHERE collection = $1 AND key = $2 FOR UPDATE', [collection, key]);
      const next = change(rows[0]?.value);
      if (next === undefined) {
        await tx.query('DELETE FROM bdfu_records WHERE collection = $1 AND key = $2', [collection, key]);
      } else {
        await tx.query(
          'INSERT INTO bdfu_records (collection, key, value) VALUES ($1, $2, $3) ON CONFLICT (collection, key) DO UPDATE SET value = EXCLUDED.value',
          [collection, key, JSON.stringify(next)]);
      }
      return next;
    });
  }

  async *list<T>(collection: string, keyPrefix = ''): AsyncIterable<{ key: string; value: T }> {
    const rows = await this.db.query<{ key: string; value: T }>(
      'SELECT key, value FROM bdfu_records WHERE collection = $1 AND starts_with(key, $2) ORDER BY key COLLATE "C"', [collection, keyPrefix]);
    yield* rows;
  }

  async remove(collection: string, key: string): Promise<boolean> {
    const rows = await this.db.query('DELETE FROM bdfu_records WHERE collection = $1 AND key = $2 RETURNING key', [collection, key]);
    return rows.length > 0;
  }
}
