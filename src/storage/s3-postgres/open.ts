import { Database } from '../postgres/pool.js';
import { S3Client, type S3Config } from '../s3/client.js';
import { S3PgDocuments } from './documents.js';
import { PostgresRecords } from './records.js';
import { s3ObjectBytes } from './s3-object-bytes.js';
import { filesTable } from './session-files.js';
import { S3PgSessions } from './sessions.js';

/** Keyed documents on S3 + PostgreSQL with their own connections (another process, a test's worker); close() ends them. */
export async function openDocuments(databaseUrl: string, s3: S3Config): Promise<S3PgDocuments & { close(): Promise<void> }> {
  const db = await Database.connect(databaseUrl);
  const client = new S3Client(s3);
  return Object.assign(new S3PgDocuments(db, s3ObjectBytes(client)), {
    async close() {
      await db.close();
      client.close();
    },
  });
}

/** Resumable sessions on S3 + PostgreSQL with their own connections; close() ends them. */
export async function openSessions(databaseUrl: string, s3: S3Config): Promise<S3PgSessions & { close(): Promise<void> }> {
  const db = await Database.connect(databaseUrl);
  const client = new S3Client(s3);
  return Object.assign(new S3PgSessions(db, s3ObjectBytes(client), filesTable), {
    async close() {
      await db.close();
      client.close();
    },
  });
}

/** Records in PostgreSQL with their own connections; close() ends them. */
export async function openRecords(databaseUrl: string): Promise<PostgresRecords & { close(): Promise<void> }> {
  const db = await Database.connect(databaseUrl);
  return Object.assign(new PostgresRecords(db), { close: () => db.close() });
}
