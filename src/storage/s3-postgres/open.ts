import type { Pool } from 'pg';
import { S3Client, type S3Config } from '../s3/client.js';
import { S3PgDocuments } from './documents.js';
import { s3ObjectBytes } from './s3-object-bytes.js';
import { filesTable } from './session-files.js';
import { S3PgSessions } from './sessions.js';

/** A pg pool for sessions and documents (`pg` loaded here, only by the s3-postgres backend). */
export async function openPool(databaseUrl: string, max = 10): Promise<Pool> {
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString: databaseUrl, max, connectionTimeoutMillis: 5_000, idleTimeoutMillis: 30_000, application_name: 'bdfu' });
  // An idle connection dropped by a restarting server must not crash the process.
  pool.on('error', () => undefined);
  return pool;
}

/** Keyed documents on S3 + PostgreSQL with their own connections; close() ends them. */
export async function openDocuments(databaseUrl: string, s3: S3Config): Promise<S3PgDocuments & { close(): Promise<void> }> {
  const pool = await openPool(databaseUrl);
  const client = new S3Client(s3);
  return Object.assign(new S3PgDocuments(pool, s3ObjectBytes(client)), {
    async close() {
      await pool.end();
      client.close();
    },
  });
}

/** Resumable sessions on S3 + PostgreSQL with their own connections; close() ends them. */
export async function openSessions(databaseUrl: string, s3: S3Config): Promise<S3PgSessions & { close(): Promise<void> }> {
  const pool = await openPool(databaseUrl);
  const client = new S3Client(s3);
  return Object.assign(new S3PgSessions(pool, s3ObjectBytes(client), filesTable), {
    async close() {
      await pool.end();
      client.close();
    },
  });
}
