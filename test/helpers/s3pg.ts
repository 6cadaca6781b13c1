import pg from 'pg';
import type { Test } from 'tap';
import { S3Client, type S3Config } from '../../src/storage/s3/client.js';
import { Database } from '../../src/storage/postgres/pool.js';
import { migrate } from '../../src/storage/postgres/schema.js';
import { s3ObjectBytes } from '../../src/storage/s3-postgres/s3-object-bytes.js';
import type { ObjectBytes } from '../../src/storage/s3-postgres/object-bytes.js';
import { S3PostgresBackend } from '../../src/storage/s3-postgres/backend.js';
import type { BackendFactory } from './contract/backend-factory.js';
import { startPostgres, type Postgres } from './postgres.js';
import { startSwift, type Swift } from './swift.js';

/** A private PostgreSQL and Swift for one test file, the schema in place, and ways to reach both. */
export interface S3Pg {
  postgres: Postgres;
  swift: Swift;
  s3: S3Client;
  s3Config: S3Config;
  objects: ObjectBytes;
  /** A new connection pool, as another instance would have (on `url`, default the run's database); closed in the teardown. */
  db(url?: string): Promise<Database>;
  /** A new, empty database with the schema in place: its URL. */
  freshDatabase(): Promise<string>;
  /** A backend factory for the contract suites: a fresh database each time (the run's bucket; object keys are random ids), closed in the teardown. */
  backends(): BackendFactory;
  /** Every key in the bucket under `prefix`. */
  keys(prefix?: string): Promise<string[]>;
  /** Multipart uploads still open under `prefix`. */
  uploads(prefix?: string): Promise<string[]>;
}

export async function startS3Pg(t: Test): Promise<S3Pg> {
  const postgres = startPostgres(t);
  const swift = await startSwift(t);
  const s3Config: S3Config = {
    endpoint: swift.endpoint, bucket: swift.bucket, region: swift.region,
    accessKeyId: swift.accessKeyId, secretAccessKey: swift.secretAccessKey, forcePathStyle: true,
  };
  const s3 = new S3Client(s3Config);
  const migrateAt = async (url: string) => {
    const db = await Database.connect(url);
    await migrate(db);
    await db.close();
  };
  await migrateAt(postgres.url);
  let databases = 0;
  const dbs: Database[] = [];
  const backends: S3PostgresBackend[] = [];
  t.teardown(async () => {
    await Promise.all(backends.map((backend) => backend.close()));
    await Promise.all(dbs.map((db) => db.close()));
    s3.close();
  });
  const all = async <T>(items: AsyncIterable<T>): Promise<T[]> => {
    const out: T[] = [];
    for await (const item of items) out.push(item);
    return out;
  };
  const env: S3Pg = {
    postgres, swift, s3, s3Config, objects: s3ObjectBytes(s3),
    async db(url = postgres.url) {
      const db = await Database.connect(url);
      dbs.push(db);
      return db;
    },
    async freshDatabase() {
      const name = `bdfu_${++databases}`;
      const admin = new pg.Client({ connectionString: postgres.url });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name}`);
      await admin.end();
      const url = postgres.url.replace(/\/bdfu$/, `/${name}`);
      await migrateAt(url);
      return url;
    },
    backends() {
      return async () => {
        const url = await env.freshDatabase();
        const open = async () => {
          const backend = new S3PostgresBackend(await Database.connect(url), new S3Client(s3Config), { maxUploadSize: 1 << 30, staleUploadSeconds: 3600 });
          backends.push(backend);
          return backend;
        };
        return { backend: await open(), sameStorage: open };
      };
    },
    keys: async (prefix = '') => (await all(s3.listObjects(prefix))).map((object) => object.key).sort(),
    uploads: async (prefix = '') => (await all(s3.listMultipartUploads(prefix))).map((upload) => upload.key).sort(),
  };
  return env;
}
