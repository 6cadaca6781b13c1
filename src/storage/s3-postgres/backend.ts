import type { Settings } from '../../config/settings.js';
import type { StorageBackend } from '../backend.js';
import type { Capabilities } from '../capabilities.js';
import { StorageError, isStorageError } from '../errors.js';
import { Database } from '../postgres/pool.js';
import { migrate } from '../postgres/schema.js';
import { S3Client } from '../s3/client.js';
import { PostgresAuditSink } from './audit-sink.js';
import { S3PgDocuments } from './documents.js';
import { S3PostgresFiles } from './files.js';
import { PostgresRecords } from './records.js';
import { s3ObjectBytes } from './s3-object-bytes.js';
import { filesTable } from './session-files.js';
import { S3PgSessions } from './sessions.js';

const CAPABILITIES: Capabilities = {
  quota: true, sessions: true, concatenation: true, documents: true, presignedGet: true, sharedAcrossHosts: true,
};

/** Bytes in an S3 bucket, records and coordination in PostgreSQL: what several instances share. */
export class S3PostgresBackend implements StorageBackend {
  readonly kind = 's3-postgres' as const;
  readonly capabilities = CAPABILITIES;
  readonly files: S3PostgresFiles;
  readonly sessions: S3PgSessions;
  readonly documents: S3PgDocuments;
  readonly records: PostgresRecords;
  readonly audit: PostgresAuditSink;

  constructor(readonly db: Database, readonly s3: S3Client, private readonly settings: Pick<Settings, 'maxUploadSize' | 'staleUploadSeconds'>) {
    this.files = new S3PostgresFiles(db, s3, { maxUploadBytes: settings.maxUploadSize });
    this.sessions = new S3PgSessions(db, s3ObjectBytes(s3), filesTable);
    this.documents = new S3PgDocuments(db, s3ObjectBytes(s3));
    this.records = new PostgresRecords(db);
    this.audit = new PostgresAuditSink(db);
  }

  /**
   * Creates or updates the schema (idempotent, one instance at a time), then checks the bucket.
   * Any failure is one StorageError('unavailable') naming what and where.
   */
  async check(): Promise<void> {
    try {
      await migrate(this.db);
    } catch (error) {
      throw new StorageError('unavailable', `cannot use PostgreSQL: ${oneLine(error)}`, { cause: error });
    }
    try {
      await this.s3.headBucket();
    } catch (error) {
      throw new StorageError('unavailable', `cannot use S3: ${oneLine(error)}`, { cause: error });
    }
  }

  async sweep(): Promise<number> {
    return (await this.sessions.sweep()) + (await this.files.sweep(this.settings.staleUploadSeconds));
  }

  async close(): Promise<void> {
    this.s3.close();
    await this.db.close();
  }
}

function oneLine(error: unknown): string {
  const message = isStorageError(error) || error instanceof Error ? error.message : String(error);
  return message.replace(/\s*\n\s*/g, ' ');
}

/**
 * The s3-postgres backend from the settings (S3_* and DATABASE_URL, checked by the loader).
 * Nothing is contacted until check() or the first request.
 */
export async function createS3PostgresBackend(settings: Settings): Promise<S3PostgresBackend> {
  const db = await Database.connect(settings.databaseUrl);
  const s3 = new S3Client({
    endpoint: settings.s3Endpoint, bucket: settings.s3Bucket, region: settings.s3Region,
    accessKeyId: settings.s3AccessKeyId, secretAccessKey: settings.s3SecretAccessKey, forcePathStyle: settings.s3ForcePathStyle,
  });
  return new S3PostgresBackend(db, s3, settings);
}
