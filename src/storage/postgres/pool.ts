import type { Pool, PoolClient, QueryResultRow } from 'pg';
import { describeDatabaseUrl, postgresFailure } from './errors.js';

/**
 * A PostgreSQL pool whose every failure is a StorageError ('unavailable' when PostgreSQL is
 * down). `pg` is imported here, and this module only by the s3-postgres backend: the disk
 * backend (and CGI on it) never loads it.
 */
export class Database {
  /** host:port/database, never the password: for messages. */
  readonly where: string;

  private constructor(
    /** For what needs its own connection (a session's writer lock) or pg's client directly. */
    readonly pool: Pool,
    url: string,
  ) {
    this.where = describeDatabaseUrl(url);
    // A connection dropped by a stopping server must not crash the process: pg emits 'error' on the
    // pool for an idle client and on the client itself for one checked out (a transaction, a
    // session's lock); the query in progress rejects either way, and that is where it is handled.
    pool.on('error', () => undefined);
    pool.on('connect', (client) => client.on('error', () => undefined));
  }

  static async connect(url: string, options: { max?: number } = {}): Promise<Database> {
    const loaded = await import('pg');
    // pg is CommonJS: its exports are `default` under ESM, the module itself where interop differs.
    const pg = (loaded as unknown as { default?: typeof loaded }).default ?? loaded;
    // BIGINT as a JavaScript number: sizes and counters stay far below 2^53.
    pg.types.setTypeParser(20, (value: string) => Number(value));
    const pool = new pg.Pool({
      connectionString: url, max: options.max ?? 10, connectionTimeoutMillis: 5_000, idleTimeoutMillis: 30_000,
      application_name: 'bdfu',
    });
    return new Database(pool, url);
  }

  async query<R extends QueryResultRow = QueryResultRow>(sql: string, values: unknown[] = []): Promise<R[]> {
    try {
      return (await this.pool.query<R>(sql, values)).rows;
    } catch (error) {
      throw postgresFailure(error, this.where);
    }
  }

  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  async transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw postgresFailure(error, this.where);
    }
    let broken = false;
    const tx: Transaction = {
      query: async <R extends QueryResultRow>(sql: string, values: unknown[] = []) => {
        try {
          return (await client.query<R>(sql, values)).rows;
        } catch (error) {
          throw postgresFailure(error, this.where);
        }
      },
    };
    try {
      await tx.query('BEGIN');
      const result = await work(tx);
      await tx.query('COMMIT');
      return result;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true;
      }
      // The work's own refusals (a quota, a precondition) pass unchanged; pg's are already StorageErrors.
      throw error;
    } finally {
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

export interface Transaction {
  query<R extends QueryResultRow = QueryResultRow>(sql: string, values?: unknown[]): Promise<R[]>;
}
