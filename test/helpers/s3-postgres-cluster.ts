import { createCipheriv, createHash } from 'node:crypto';
import { request } from 'node:http';
import { Readable } from 'node:stream';
import type { Test } from 'tap';
import type { Settings } from '../../src/config/settings.js';
import { createS3PostgresBackend, type S3PostgresBackend } from '../../src/storage/s3-postgres/backend.js';
import { makeFixture, type Fixture } from './fixture.js';
import { startPostgres, type Postgres } from './postgres.js';
import { startBdfu, type Served } from './serve.js';
import { startSwift, type Swift } from './swift.js';

export interface Cluster {
  pg: Postgres;
  swift: Swift;
  fixture: Fixture;
  instances: Served[];
  /** A backend object of the test's own on the same bucket and database, to look inside. */
  inspect: S3PostgresBackend;
}

/** PostgreSQL + Swift + `count` `bdfu serve` instances on S3 + PostgreSQL (all torn down after the test). */
export async function startS3PostgresCluster(t: Test, count: number, extra: Record<string, string | number | string[]> = {}): Promise<Cluster> {
  const [pg, swift] = await Promise.all([startPostgres(t), startSwift(t)]);
  const fixture = makeFixture('s3pg', { ...swift.settings, DATABASE_URL: pg.url, ...extra });
  const instances: Served[] = [];
  // One at a time: the first creates the schema (the others would wait on its lock anyway).
  for (let i = 0; i < count; i++) {
    const served = await startBdfu([fixture.config]);
    t.teardown(() => served.stop());
    instances.push(served);
  }
  const inspect = await createS3PostgresBackend({
    s3Endpoint: swift.endpoint, s3Bucket: swift.bucket, s3Region: swift.region, s3AccessKeyId: swift.accessKeyId,
    s3SecretAccessKey: swift.secretAccessKey, s3ForcePathStyle: true, databaseUrl: pg.url, maxUploadSize: 1024 ** 3, staleUploadSeconds: 3600,
  } as Settings);
  t.teardown(() => inspect.close());
  return { pg, swift, fixture, instances, inspect };
}

/** `size` bytes that depend only on `seed` (AES-CTR keystream), made as they are sent. */
export function seededBytes(size: number, seed: string): Readable {
  const key = createHash('sha256').update(seed).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  const zeros = Buffer.alloc(256 * 1024);
  let left = size;
  return new Readable({
    read() {
      if (left === 0) return void this.push(null);
      const n = Math.min(left, zeros.length);
      left -= n;
      this.push(cipher.update(zeros.subarray(0, n)));
    },
  });
}

export function seededSha256(size: number, seed: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    seededBytes(size, seed).on('data', (c: Buffer) => hash.update(c)).on('end', () => resolve(hash.digest('hex'))).on('error', reject);
  });
}

export interface Sent {
  status: number;
  json: any;
  location?: string;
  retryAfter?: string;
}

/**
 * POST {base}upload, the file streamed (never whole in memory). An answer that comes before the
 * whole body was sent (a refusal) counts, even if the server then closes the connection on the
 * rest; rejects only when no answer came.
 */
export function streamUpload(base: string, token: string, size: number, seed: string): Promise<Sent> {
  const boundary = `b${createHash('sha1').update(seed).digest('hex')}`;
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${seed}.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = request(`${base}upload`, {
      // A fresh connection each time: reusing one the server has just closed (after a refusal, a
      // restart) would fail with EPIPE before any answer, which says nothing about bdfu.
      agent: false,
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': head.length + size + tail.length },
    }, (res) => {
      answered = true;
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('error', reject);
      res.on('end', () => {
        body.destroy();
        let json: any;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, json, location: res.headers.location, retryAfter: res.headers['retry-after'] as string | undefined });
      });
    });
    const body = seededBytes(size, seed);
    req.on('error', (error) => {
      body.destroy();
      if (!answered) reject(error);
    });
    req.write(head);
    body.on('end', () => req.end(tail));
    body.pipe(req, { end: false });
  });
}

/** GET a file and hash it as it arrives: status and sha256 of the body. */
export function hashDownload(url: string, token: string): Promise<{ status: number; sha256: string; bytes: number; retryAfter?: string }> {
  return new Promise((resolve, reject) => {
    request(url, { agent: false, headers: { authorization: `Bearer ${token}` } }, (res) => {
      const hash = createHash('sha256');
      let bytes = 0;
      res.on('data', (c: Buffer) => {
        bytes += c.length;
        hash.update(c);
      });
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, sha256: hash.digest('hex'), bytes, retryAfter: res.headers['retry-after'] }));
    }).on('error', reject).end();
  });
}

async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** Records without bytes, bytes without records, and multipart uploads left in the bucket. */
export async function leftovers(backend: S3PostgresBackend) {
  const records = await backend.db.query<{ user_name: string; id: string; size: number }>('SELECT user_name, id, size FROM bdfu_files');
  const objects = new Map((await all(backend.s3.listObjects('files/'))).map((o) => [o.key, o.size]));
  const recordKeys = new Set(records.map((r) => `files/${r.user_name}/${r.id}`));
  return {
    records: records.length,
    recordsWithoutBytes: records.filter((r) => objects.get(`files/${r.user_name}/${r.id}`) !== r.size).map((r) => `${r.user_name}/${r.id}`),
    bytesWithoutRecords: [...objects.keys()].filter((key) => !recordKeys.has(key)),
    multipartUploads: (await all(backend.s3.listMultipartUploads('files/'))).map((u) => u.key),
  };
}
