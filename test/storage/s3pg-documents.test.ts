import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import t from 'tap';
import { StorageError } from '../../src/storage/errors.js';
import { S3PgDocuments } from '../../src/storage/s3-postgres/documents.js';
import { join } from 'node:path';
import { documentsContract } from '../helpers/contract/documents.js';
import { ROOT } from '../helpers/paths.js';
import { startS3Pg } from '../helpers/s3pg.js';

const MiB = 1024 * 1024;
const noQuota = { bytes: 0, files: 0 };
const kind = (k: string) => ({ name: /Error$/, kind: k });
const isKind = (k: string) => (error: unknown) => error instanceof StorageError && error.kind === k;
const body = (text: string | Buffer) => Readable.from([Buffer.from(text)]);
const put = { contentType: 'text/plain', quota: noQuota, maxBytes: 64 * MiB };

async function read(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

t.test('keyed documents on S3 + PostgreSQL (real Swift, real PostgreSQL)', async (t) => {
  const env = await startS3Pg(t);

  t.test('the documents contract', async (t) =>
    documentsContract(t, async () => {
      const url = await env.freshDatabase();
      const db = await env.db(url);
      return {
        documents: new S3PgDocuments(db, env.objects),
        worker: { module: join(ROOT, 'dist/storage/s3-postgres/open.js'), export: 'openDocuments', args: [url, env.s3Config] },
        cleanup: async () => undefined,
      };
    }));

  // Two instances: each its own pool on the same database and bucket.
  const one = new S3PgDocuments(await env.db(), env.objects);
  const two = new S3PgDocuments(await env.db(), env.objects);

  t.test('put, get, ranges, overwrite keeps the previous version', async (t) => {
    const first = await one.put('alice', '/notes/today.md', body('hello'), put);
    t.equal(first.created, true);
    t.match(first.info, { path: '/notes/today.md', contentType: 'text/plain', size: 5 });
    const got = await two.get('alice', '/notes/today.md');
    t.equal((await read(got!.stream)).toString(), 'hello');
    t.same(got!.info, first.info);
    t.equal((await read((await one.get('alice', '/notes/today.md', { start: 1, end: 3 }))!.stream)).toString(), 'ell');
    const second = await two.put('alice', '/notes/today.md', body('hello, world'), { ...put, contentType: 'text/markdown', app: 'notes.example' });
    t.equal(second.created, false);
    t.not(second.info.etag, first.info.etag);
    t.equal((await read((await one.get('alice', '/notes/today.md'))!.stream)).toString(), 'hello, world');
    const history = await one.history('alice', '/notes/today.md');
    t.same(history.map((v) => v.etag), [second.info.etag, first.info.etag], 'newest first');
    t.equal(history[0]!.app, 'notes.example');
    const old = await two.version('alice', '/notes/today.md', history[1]!.version);
    t.equal((await read(old!.stream)).toString(), 'hello', 'the old bytes are kept');
    t.equal(await one.stat('bob', '/notes/today.md'), undefined, 'another user sees nothing');
    const big = randomBytes(17 * MiB);
    await one.put('alice', '/big.bin', Readable.from([big.subarray(0, 5 * MiB), big.subarray(5 * MiB)]), put);
    t.ok((await read((await two.get('alice', '/big.bin'))!.stream)).equals(big), 'a large document is streamed in parts');
  });

  t.test('preconditions, and what stays in the bucket', async (t) => {
    const { info } = await one.put('boris', '/a', body('1'), { ...put, precondition: { ifNoneMatch: '*' } });
    await t.rejects(two.put('boris', '/a', body('2'), { ...put, precondition: { ifNoneMatch: '*' } }), kind('precondition_failed'));
    await t.rejects(two.put('boris', '/a', body('2'), { ...put, precondition: { ifMatch: ['nope'] } }), kind('precondition_failed'));
    await t.rejects(two.put('boris', '/b', body('2'), { ...put, precondition: { ifMatch: ['*'] } }), kind('precondition_failed'), 'If-Match on nothing');
    await t.rejects(two.put('boris', '/a', body('2'), { ...put, precondition: { ifNoneMatch: ['x', info.etag] } }), kind('precondition_failed'));
    const next = await two.put('boris', '/a', body('2'), { ...put, precondition: { ifMatch: ['x', info.etag] } });
    await t.rejects(one.remove('boris', '/a', { precondition: { ifMatch: [info.etag] } }), kind('precondition_failed'));
    t.same(await one.remove('boris', '/a', { precondition: { ifMatch: [next.info.etag] } }), next.info);
    await t.rejects(one.remove('boris', '/a', {}), kind('not_found'));
    t.equal(await one.stat('boris', '/a'), undefined);
    t.equal((await one.history('boris', '/a'))[0]!.deleted, true, 'a delete is a version too');
    t.equal((await env.keys('.documents/boris/')).length, 2, 'the bytes of both versions kept (a DELETE has none)');
  });

  t.test('racing conditional writes on two instances: exactly one wins each round', async (t) => {
    for (let round = 0; round < 5; round++) {
      const path = `/race/${round}`;
      const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) =>
        (i % 2 ? one : two).put('carla', path, body(`writer ${i}`), { ...put, precondition: { ifNoneMatch: '*' } })));
      t.equal(results.filter((r) => r.status === 'fulfilled').length, 1, `round ${round}: one creator`);
      t.ok(results.every((r) => r.status === 'fulfilled' || isKind('precondition_failed')(r.reason)));
      const { etag } = (await one.stat('carla', path))!;
      const updates = await Promise.allSettled(Array.from({ length: 8 }, (_, i) =>
        (i % 2 ? one : two).put('carla', path, body(`update ${i}`), { ...put, precondition: { ifMatch: [etag] } })));
      t.equal(updates.filter((r) => r.status === 'fulfilled').length, 1, `round ${round}: one updater`);
    }
    t.equal((await env.keys('.documents/carla/')).length, 10, 'the losers left no bytes behind');
  });

  t.test('folders: listings, ETags up the path, conflicts, empty folders vanish', async (t) => {
    t.equal(await one.folder('dave', '/'), undefined, 'nothing yet');
    await one.put('dave', '/photos/2026/a.jpg', body('a'), { ...put, contentType: 'image/jpeg' });
    const root1 = (await one.folder('dave', '/'))!;
    const photos1 = (await one.folder('dave', '/photos/'))!;
    const year1 = (await one.folder('dave', '/photos/2026/'))!;
    t.same(root1.items.map((i) => i.name), ['photos/']);
    t.equal(root1.items[0]!.etag, photos1.etag, 'a sub-folder is listed with its ETag');
    t.match(year1.items, [{ name: 'a.jpg', contentType: 'image/jpeg', size: 1 }]);
    await one.put('dave', '/photos/2026/b.jpg', body('bb'), put);
    await one.put('dave', '/readme', body('r'), put);
    const root2 = (await one.folder('dave', '/'))!;
    t.not(root2.etag, root1.etag, 'the root changes');
    t.not((await one.folder('dave', '/photos/'))!.etag, photos1.etag, 'every folder up the path changes');
    t.same(root2.items.map((i) => i.name), ['photos/', 'readme']);
    const photos2 = (await one.folder('dave', '/photos/'))!;
    await one.put('dave', '/readme', body('r2'), put);
    t.equal((await one.folder('dave', '/photos/'))!.etag, photos2.etag, 'a folder not on the path keeps its ETag');
    await t.rejects(two.put('dave', '/readme/x', body('x'), put), kind('conflict'), 'a document where a folder would be');
    await t.rejects(two.put('dave', '/photos/2026', body('x'), put), kind('conflict'), 'a folder where a document would be');
    await two.remove('dave', '/photos/2026/a.jpg', {});
    await two.remove('dave', '/photos/2026/b.jpg', {});
    t.equal(await one.folder('dave', '/photos/2026/'), undefined, 'an emptied folder is gone');
    t.equal(await one.folder('dave', '/photos/'), undefined);
    t.same((await one.folder('dave', '/'))!.items.map((i) => i.name), ['readme']);
    await two.put('dave', '/photos/2026', body('now a document'), put);
    t.equal((await one.stat('dave', '/photos/2026'))!.size, 14, 'the name is free once the folder is empty');
  });

  t.test('quota counts every kept version; too_large; prune gives room back', async (t) => {
    const quota = { bytes: 3000, files: 0 };
    for (let i = 0; i < 3; i++) await one.put('erik', '/doc', body(Buffer.alloc(1000, i)), { ...put, quota });
    await t.rejects(two.put('erik', '/doc', body(Buffer.alloc(1000)), { ...put, quota }), kind('quota'));
    await t.rejects(two.put('erik', '/other', body(Buffer.alloc(101)), { ...put, maxBytes: 100 }), kind('too_large'));
    t.equal((await one.history('erik', '/doc')).length, 3);
    t.equal(await two.prune('erik', { keepVersions: 1, keepDays: 0 }), 1);
    const history = await one.history('erik', '/doc');
    t.equal(history.length, 2, 'the current one and one old one');
    t.equal((await read((await one.get('erik', '/doc'))!.stream))[0], 2, 'the current version untouched');
    await one.put('erik', '/doc', body(Buffer.alloc(1000, 3)), { ...put, quota });
    t.equal(await two.prune('erik', { keepVersions: 0, keepDays: 1 }, new Date(Date.now() + 2 * 86_400_000)), 2, 'old by age');
    t.equal((await env.keys('.documents/erik/')).length, 1, 'pruned bytes removed from the bucket');
  });
});
