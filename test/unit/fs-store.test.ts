import t from 'tap';
import { mkdtempSync, readdirSync, renameSync, statSync, utimesSync, writeFileSync, mkdirSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsStore } from '../../src/storage/fs-store.js';
import { usageOf } from '../../src/storage/fs-lease.js';
import { READ_CHUNK_BYTES } from '../../src/storage/read-chunk.js';

const fresh = () => new FsStore(mkdtempSync(join(tmpdir(), 'bdfu-store-')));

t.test('layout on disk is the original’s: STORAGE_DIR/<user>/<id>', async (t) => {
  const store = fresh();
  const pending = await store.begin('sally', { name: 'a', type: 'b' });
  const temps = readdirSync(join(store.root, 'sally'));
  t.match(temps.sort(), [/^\.upload-[0-9a-f]{32}\.lease$/, /^\.upload-[0-9a-f]{32}\.part$/], 'written to a hidden temporary file first, beside its lease');
  const lease = temps.find((name) => name.endsWith('.lease'))!;
  const leaseInode = statSync(join(store.root, 'sally', lease)).ino;
  pending.stream.end(Buffer.from('x'));
  const record = await pending.commit({ size: 1, sha256: 'x' });
  t.same(readdirSync(join(store.root, 'sally')).sort(), [`.${record.id}.json`, record.id].sort());
  t.equal(statSync(join(store.root, 'sally', `.${record.id}.json`)).ino, leaseInode,
    'the lease became the metadata (rewritten and renamed): the upload removed no file it made');
});

t.test('quota: an upload whose lease became its metadata, before its file is in place, still counts', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bdfu-usage-'));
  const id = 'e'.repeat(32);
  writeFileSync(join(dir, `.${id}.json`), JSON.stringify({ id, user: 'sally', name: 'a', type: 'b', size: 500, sha256: 'x', uploaded: '2026-12-03T00:00:00.000Z' }));
  writeFileSync(join(dir, `.upload-${id}.part`), Buffer.alloc(500));
  t.same(await usageOf(dir), { bytes: 500, files: 1 }, 'metadata beside its temporary file: the upload is finishing');
  const leaseId = 'f'.repeat(32);
  writeFileSync(join(dir, `.upload-${leaseId}.lease`), JSON.stringify({ id: leaseId, size: 70, sha256: 'x' }));
  t.same(await usageOf(dir), { bytes: 570, files: 2 }, 'a lease already rewritten with its record holds the record\'s size');
  renameSync(join(dir, `.upload-${id}.part`), join(dir, id));
  t.same(await usageOf(dir), { bytes: 570, files: 2 }, 'once the file is in place, it counts as a stored file (once)');
  rmSync(join(dir, id));
  t.same(await usageOf(dir), { bytes: 70, files: 1 }, 'metadata alone (a leftover) holds nothing');
});

t.test('sweep removes only stale leftovers', async (t) => {
  const store = fresh();
  const dir = join(store.root, 'sally');
  mkdirSync(dir, { recursive: true });
  const old = Date.now() / 1000 - 7200;
  const stale = join(dir, `.upload-${'a'.repeat(32)}.part`);
  const fresh1 = join(dir, `.upload-${'b'.repeat(32)}.part`);
  const orphanMeta = join(dir, `.${'c'.repeat(32)}.json`);
  for (const f of [stale, fresh1, orphanMeta]) writeFileSync(f, 'x');
  utimesSync(stale, old, old);
  utimesSync(orphanMeta, old, old);
  const kept = join(dir, 'd'.repeat(32));
  writeFileSync(kept, 'kept');
  utimesSync(kept, old, old);
  t.equal(await store.sweep(3600), 2);
  t.notOk(existsSync(stale));
  t.notOk(existsSync(orphanMeta));
  t.ok(existsSync(fresh1), 'an upload in flight (recently written) is left alone');
  t.ok(existsSync(kept), 'real files are never swept');
});

t.test('files without metadata (put there by the original bdfu) are still served', async (t) => {
  const store = fresh();
  mkdirSync(join(store.root, 'old'));
  writeFileSync(join(store.root, 'old', 'e'.repeat(32)), 'legacy');
  const record = await store.stat('old', 'e'.repeat(32));
  t.equal(record?.size, 6);
  t.equal(record?.type, 'application/octet-stream');
});

t.test('check names the directory when it cannot be used', async (t) => {
  const base = mkdtempSync(join(tmpdir(), 'bdfu-store-'));
  writeFileSync(join(base, 'file'), '');
  await t.rejects(new FsStore(join(base, 'file', 'storage')).check(), { name: 'StorageError', kind: 'unwritable', message: /file\/storage is not writable by .*\(ENOTDIR\)/ });
});

t.test('a user directory removed between uploads is made again', async (t) => {
  const store = fresh();
  const put = async () => {
    const pending = await store.begin('gone', { name: 'a', type: 'b' });
    pending.stream.end(Buffer.from('x'));
    return pending.commit({ size: 1, sha256: 'x' });
  };
  await put();
  rmSync(join(store.root, 'gone'), { recursive: true });
  const record = await put();
  t.ok(existsSync(join(store.root, 'gone', record.id)));
});

t.test('concurrent uploads to one user all land', async (t) => {
  const store = fresh();
  const records = await Promise.all(Array.from({ length: 20 }, async (_, i) => {
    const pending = await store.begin('many', { name: `f${i}`, type: 'b' });
    pending.stream.end(Buffer.from(String(i)));
    return pending.commit({ size: String(i).length, sha256: 'x' });
  }));
  t.equal(new Set(records.map((r) => r.id)).size, 20);
  t.equal(readdirSync(join(store.root, 'many')).filter((n) => /^[0-9a-f]{32}$/.test(n)).length, 20);
});

t.test('a stored file is read READ_CHUNK_BYTES at a time, whole or a range of it', async (t) => {
  const store = fresh();
  const pending = await store.begin('reader', { name: 'r', type: 'text/plain' });
  pending.stream.end(Buffer.alloc(600 << 10, 1));
  const { id } = await pending.commit({ size: 600 << 10, sha256: 'x' });
  for (const range of [undefined, { start: 10, end: 500 << 10 }]) {
    const opened = await store.open('reader', id, range);
    t.equal(opened?.stream.readableHighWaterMark, READ_CHUNK_BYTES);
    const sizes: number[] = [];
    for await (const chunk of opened!.stream) sizes.push((chunk as Buffer).length);
    t.equal(sizes[0], READ_CHUNK_BYTES, 'the first read is a whole chunk');
    t.equal(sizes.reduce((a, b) => a + b, 0), range ? range.end - range.start + 1 : 600 << 10);
  }
});
