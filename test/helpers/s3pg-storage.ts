import type { Test } from 'tap';
import { S3Client } from '../../src/storage/s3/client.js';
import type { S3Pg } from './s3pg.js';
import { s3pgStored } from './stored-s3pg.js';
import type { Stored } from './stored.js';

export interface S3PgStorage {
  /** S3_* and DATABASE_URL for a bdfu instance on this storage (BDFU_* names without the prefix). */
  settings: Record<string, string>;
  /** What instances on it stored. */
  stored: Stored;
}

/**
 * A storage of its own on the test file's Swift and PostgreSQL: a new bucket and a new database
 * (schema in place), so that instances with different settings do not see each other's files.
 */
export async function s3pgStorage(t: Test, env: S3Pg, name: string): Promise<S3PgStorage> {
  const bucket = `bdfu-${name}`;
  await env.swift.createBucket(bucket);
  const databaseUrl = await env.freshDatabase();
  const s3 = new S3Client({ ...env.s3Config, bucket });
  t.teardown(() => s3.close());
  const db = await env.db(databaseUrl);
  return {
    settings: { ...env.swift.settings, S3_BUCKET: bucket, DATABASE_URL: databaseUrl },
    stored: s3pgStored(s3, db),
  };
}
