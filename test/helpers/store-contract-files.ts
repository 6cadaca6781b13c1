import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Test } from 'tap';
import type { FileRecord, Store, UploadMeta } from '../../src/storage/store.js';

async function put(store: Store, user: string, data: string, meta: Partial<UploadMeta> = {}): Promise<FileRecord> {
  const pending = await store.begin(user, { name: 'f.txt', type: 'text/plain', ...meta });
  await pipeline(Readable.from([Buffer.from(data)]), pending.stream);
  return pending.commit({ size: Buffer.byteLength(data), sha256: createHash('sha256').update(data).digest('hex') });
}

async function text(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** What the files API needs of any Store: reading back, ranges, listing, users, removal, the token hash. */
export function storeContractFiles(t: Test, makeStore: () => Store): void {
  t.test('open returns the bytes, whole or a range', async (t) => {
    const store = makeStore();
    const record = await put(store, 'reader', '0123456789');
    const whole = await store.open('reader', record.id);
    t.same(whole?.record, record);
    t.equal(await text(whole!.stream), '0123456789');
    t.equal(await text((await store.open('reader', record.id, { start: 2, end: 4 }))!.stream), '234', 'an inclusive range');
    t.equal(await text((await store.open('reader', record.id, { start: 9, end: 9 }))!.stream), '9');
    t.equal(await store.open('reader', 'f'.repeat(32)), undefined, 'a missing file');
    t.equal(await store.open('nobody', record.id), undefined, 'another user');
    t.equal(await store.stat('reader', 'not-an-id'), undefined);
  });

  t.test('the download token hash is kept with the file', async (t) => {
    const store = makeStore();
    const hash = 'a'.repeat(64);
    const record = await put(store, 'hasher', 'x', { downloadTokenHash: hash });
    t.equal(record.downloadTokenHash, hash);
    t.equal((await store.stat('hasher', record.id))?.downloadTokenHash, hash, 'stat sees it');
    const plain = await put(store, 'hasher', 'y');
    t.notOk('downloadTokenHash' in (await store.stat('hasher', plain.id))!, 'absent when not asked for');
  });

  t.test('list, users and remove', async (t) => {
    const store = makeStore();
    t.same(await all(store.list('lonely')), [], 'no files for an unknown user');
    const a = await put(store, 'u1', 'a');
    const b = await put(store, 'u1', 'b', { name: 'b.txt' });
    await put(store, 'u2', 'c');
    const listed = await all(store.list('u1'));
    t.same(listed.map((r) => r.id).sort(), [a.id, b.id].sort());
    t.same(listed.find((r) => r.id === b.id), b, 'the full record');
    const users = await all(store.users());
    t.ok(users.includes('u1') && users.includes('u2'), 'users()');
    t.notOk(users.some((u) => u.startsWith('.')), 'no hidden entries');
    t.equal(await store.remove('u1', a.id), true);
    t.equal(await store.remove('u1', a.id), false, 'removing twice');
    t.equal(await store.stat('u1', a.id), undefined);
    t.same((await all(store.list('u1'))).map((r) => r.id), [b.id]);
  });
}
