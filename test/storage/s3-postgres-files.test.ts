import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import t from 'tap';
import { isStorageError } from '../../src/storage/errors.js';
import { createS3PostgresBackend, type S3PostgresBackend } from '../../src/storage/s3-postgres/backend.js';
import { fileKey } from '../../src/storage/s3-postgres/object-keys.js';
import { QuotaExceededError } from '../../src/storage/store.js';
import type { Settings } from '../../src/config/settings.js';
import { startPostgres } from '../helpers/postgres.js';
import { filesContract } from '../helpers/contract/files.js';
import { startSwift } from '../helpers/swift.js';

const MiB = 1024 * 1024;
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

t.test('s3-postgres against a real Swift and PostgreSQL', async (t) => {
  const [pg, swift] = await Promise.all([startPostgres(t), startSwift(t)]);
  let fresh = 0;
  const settingsFor = (bucket: string, databaseUrl: string): Settings => ({
    s3Endpoint: swift.endpoint, s3Bucket: bucket, s3Region: swift.region, s3AccessKeyId: swift.accessKeyId,
    s3SecretAccessKey: swift.secretAccessKey, s3ForcePathStyle: true, databaseUrl, maxUploadSize: 1024 * MiB, staleUploadSeconds: 3600,
  }) as Settings;
  /** A backend on its own new bucket and database, checked (schema made). */
  const freshBackend = async (): Promise<S3PostgresBackend> => {
    const n = ++fresh;
    await swift.createBucket(`fresh-${n}`);
    const backend = await createS3PostgresBackend(settingsFor(`fresh-${n}`, pg.createDatabase(`fresh_${n}`)));
    await backend.check();
    t.teardown(() => backend.close());
    return backend;
  };

  t.test('the files contract', async (t) => {
    filesContract(t, async () => {
      const n = ++fresh;
      await swift.createBucket(`fresh-${n}`);
      const databaseUrl = pg.createDatabase(`fresh_${n}`);
      const open = async () => {
        const backend = await createS3PostgresBackend(settingsFor(`fresh-${n}`, databaseUrl));
        await backend.check();
        t.teardown(() => backend.close());
        return backend;
      };
      return { backend: await open(), sameStorage: open };
    });
  });

  t.test('a large upload streams as multipart; abort leaves no upload behind', async (t) => {
    const backend = await freshBackend();
    const data = randomBytes(20 * MiB + 7);
    const pending = await backend.files.begin('big', { name: 'big.bin', type: 'application/octet-stream' });
    await pipeline(Readable.from((function* () {
      for (let i = 0; i < data.length; i += 256 * 1024) yield data.subarray(i, i + 256 * 1024);
    })()), pending.stream);
    const record = await pending.commit({ size: data.length, sha256: sha256(data) });
    const opened = await backend.files.open('big', record.id, { start: 9 * MiB, end: 9 * MiB + 99 });
    const chunks: Buffer[] = [];
    for await (const c of opened!.stream) chunks.push(c as Buffer);
    t.same(Buffer.concat(chunks), data.subarray(9 * MiB, 9 * MiB + 100));

    const aborted = await backend.files.begin('big', { name: 'no.bin', type: 'x' });
    aborted.stream.write(randomBytes(9 * MiB));
    await new Promise((r) => setTimeout(r, 1000));
    t.equal((await all(backend.s3.listMultipartUploads('files/'))).length, 1, 'a part went up');
    await aborted.abort();
    t.same(await all(backend.s3.listMultipartUploads('files/')), [], 'aborted');
    t.equal((await backend.db.query('SELECT * FROM bdfu_reservations')).length, 0, 'its room is given back');
    t.same((await all(backend.files.list('big'))).map((r) => r.id), [record.id]);
  });

  t.test('the quota is never overshot by concurrent uploads on different instances', async (t) => {
    const first = await freshBackend();
    const second = await createS3PostgresBackend(settingsFor(first.s3.config.bucket, `postgres://bdfu@127.0.0.1:${pg.port}/fresh_${fresh}`));
    t.teardown(() => second.close());
    const quota = { bytes: 10_000, files: 0 };
    const attempts = await Promise.allSettled(Array.from({ length: 24 }, (_, i) =>
      (i % 2 ? first : second).files.reserve('q', 1000, quota, true)));
    const held = attempts.filter((a) => a.status === 'fulfilled');
    t.equal(held.length, 10, 'exactly the room there was');
    t.ok(attempts.filter((a) => a.status === 'rejected').every((a) => (a as PromiseRejectedResult).reason instanceof QuotaExceededError));
    for (const a of held) await (a as PromiseFulfilledResult<{ release(): Promise<void> }>).value.release();
    const again = await second.files.reserve('q', 10_000, quota, true);
    t.equal(again.bytes, 10_000, 'released room is free again');
    await again.release();
  });

  t.test('sweep: a crashed upload (reservation never touched again, its multipart upload, a never-recorded object)', async (t) => {
    const backend = await freshBackend();
    const crashed = await backend.files.reserve('c', 100 * MiB, { bytes: 0, files: 0 }, false);
    const pending = await backend.files.begin('c', { name: 'x', type: 'x' }, crashed);
    pending.stream.write(randomBytes(9 * MiB));
    await new Promise((r) => setTimeout(r, 1000));
    // As if the instance died: nothing more happens to it. A second one completed but was never recorded.
    const orphan = await backend.files.reserve('c', 10, { bytes: 0, files: 0 }, false);
    await backend.s3.putObject(fileKey('c', orphan.id), Buffer.from('orphan'));
    t.equal(await backend.files.sweep(3600), 0, 'nothing is stale yet');
    const removed = await backend.files.sweep(0);
    t.ok(removed >= 3, `${removed} removed`);
    t.same(await all(backend.s3.listMultipartUploads('files/')), []);
    t.same(await all(backend.s3.listObjects('files/')), []);
    t.equal((await backend.db.query('SELECT * FROM bdfu_reservations')).length, 0);
  });

  t.test('records: read-change-write is atomic across instances', async (t) => {
    const backend = await freshBackend();
    const other = await createS3PostgresBackend(settingsFor(backend.s3.config.bucket, `postgres://bdfu@127.0.0.1:${pg.port}/fresh_${fresh}`));
    t.teardown(() => other.close());
    await Promise.all(Array.from({ length: 40 }, (_, i) =>
      (i % 2 ? backend : other).records.update<{ n: number }>('counters', 'hits', (c) => ({ n: (c?.n ?? 0) + 1 }))));
    t.same(await backend.records.get('counters', 'hits'), { n: 40 });
    await backend.records.update('links', 'a/1', () => ({ v: 1 }));
    await backend.records.update('links', 'a/2', () => ({ v: 2 }));
    await backend.records.update('links', 'b/1', () => ({ v: 3 }));
    t.same((await all(backend.records.list('links', 'a/'))).map((r) => r.key), ['a/1', 'a/2']);
    await t.rejects(backend.records.update('links', 'a/1', () => {
      throw new Error('refused');
    }), /refused/);
    t.same(await backend.records.get('links', 'a/1'), { v: 1 }, 'a refused change writes nothing');
    t.equal(await backend.records.update('links', 'a/1', () => undefined), undefined);
    t.equal(await backend.records.get('links', 'a/1'), undefined, 'undefined deletes');
    t.equal(await backend.records.remove('links', 'a/2'), true);
    t.equal(await backend.records.remove('links', 'a/2'), false);
  });

  t.test('audit sink: append, query (newest `limit`, oldest first), anonymize', async (t) => {
    const backend = await freshBackend();
    const now = Date.parse('2026-12-01T00:00:00Z');
    for (let i = 0; i < 5; i++) {
      await backend.audit.append({ time: new Date(now - (5 - i) * 86_400_000).toISOString(), user: i % 2 ? 'ann' : 'bob', address: '10.0.0.1',
        action: 'upload', outcome: 'ok', id: String(i) });
    }
    t.same((await backend.audit.query({})).map((e) => e.id), ['0', '1', '2', '3', '4']);
    t.same((await backend.audit.query({}, 2)).map((e) => e.id), ['3', '4']);
    t.same((await backend.audit.query({ user: 'ann' })).map((e) => e.id), ['1', '3']);
    t.same((await backend.audit.query({ since: new Date(now - 2.5 * 86_400_000) })).map((e) => e.id), ['3', '4']);
    const result = await backend.audit.anonymize(3 * 86_400, now);
    t.same(result, { ran: true, entries: 5, anonymized: 2 }, 'entries older than 3 days');
    const entries = await backend.audit.query({});
    t.same(entries.map((e) => e.user), [null, null, 'bob', 'ann', 'bob']);
    t.equal(entries[0]!.anonymized, true);
    t.equal((await backend.audit.anonymize(3 * 86_400, now)).anonymized, 0, 'idempotent');
  });

  t.test('check() names what and where: wrong credentials, a missing bucket, PostgreSQL down', async (t) => {
    const wrong = await createS3PostgresBackend({ ...settingsFor(swift.bucket, pg.url), s3SecretAccessKey: 'nope' });
    const error = await wrong.check().catch((e: unknown) => e);
    t.ok(isStorageError(error, 'unavailable'));
    t.match((error as Error).message, /^cannot use S3: HEAD Bucket failed at bucket bdfu-test at http:\/\/127\.0\.0\.1:\d+: AccessDenied/);
    t.notMatch((error as Error).message, /nope/);
    await wrong.close();
    const missing = await createS3PostgresBackend(settingsFor('no-such-bucket', pg.url));
    t.match(await missing.check().catch((e: Error) => e.message), /^cannot use S3: .*bucket no-such-bucket .*NoSuchBucket/);
    await missing.close();
    const noDb = await createS3PostgresBackend(settingsFor(swift.bucket, 'postgres://bdfu:pw@127.0.0.1:1/bdfu'));
    const dbError = await noDb.check().catch((e: unknown) => e);
    t.ok(isStorageError(dbError, 'unavailable'));
    t.match((dbError as Error).message, /^cannot use PostgreSQL: PostgreSQL at 127\.0\.0\.1:1\/bdfu cannot be reached/);
    t.notMatch((dbError as Error).message, /pw/);
    t.notMatch((dbError as Error).message, /\n/);
    await noDb.close();
  });
});
