import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Test } from 'tap';
import type { Store } from '../../src/storage/store.js';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

async function put(store: Store, user: string, data: Buffer, name = 'f.bin') {
  const pending = await store.begin(user, { name, type: 'application/octet-stream' });
  await pipeline(Readable.from([data]), pending.stream);
  return pending.commit({ size: data.length, sha256: sha256(data) });
}

async function read(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/**
 * What every storage backend promises, whether it renames a temporary file (file system) or
 * completes a multipart upload (object store). Run it once per backend.
 */
export function storeContract(t: Test, makeStore: () => Promise<Store>): void {
  t.test('a committed write is readable, listed and described', async (t) => {
    const store = await makeStore();
    const data = randomBytes(300_000);
    const record = await put(store, 'alice', data, 'report.pdf');
    t.match(record.id, /^[0-9a-f]{32}$/);
    t.equal(record.size, data.length);
    t.equal(record.name, 'report.pdf');
    t.equal(record.sha256, sha256(data));
    t.same(await store.stat('alice', record.id), record);
    const opened = await store.open('alice', record.id);
    t.same(await read(opened!.stream), data);
    t.same((await all(store.list('alice'))).map((r) => r.id), [record.id]);
  });

  t.test('nothing is visible before commit, and abort leaves nothing', async (t) => {
    const store = await makeStore();
    const pending = await store.begin('bob', { name: 'x', type: 'text/plain' });
    pending.stream.write(Buffer.from('partial'));
    t.equal(await store.stat('bob', pending.id), undefined, 'not visible while writing');
    t.same(await all(store.list('bob')), []);
    await pending.abort();
    await pending.abort();
    t.equal(await store.stat('bob', pending.id), undefined, 'not visible after abort');
    t.same(await all(store.list('bob')), []);
    t.equal(await store.sweep(0), 0, 'abort left no leftovers to sweep');
  });

  t.test('ranges', async (t) => {
    const store = await makeStore();
    const data = Buffer.from('0123456789');
    const { id } = await put(store, 'carol', data);
    t.equal((await read((await store.open('carol', id, { start: 2, end: 4 }))!.stream)).toString(), '234');
    t.equal((await read((await store.open('carol', id, { start: 9, end: 9 }))!.stream)).toString(), '9');
  });

  t.test('unknown ids and users', async (t) => {
    const store = await makeStore();
    t.equal(await store.stat('nobody', '0'.repeat(32)), undefined);
    t.equal(await store.open('nobody', '0'.repeat(32)), undefined);
    t.equal(await store.stat('nobody', '../etc/passwd'), undefined, 'an id that is not an id');
    t.same(await all(store.list('nobody')), []);
    t.equal(await store.remove('nobody', '0'.repeat(32)), false);
  });

  t.test('remove', async (t) => {
    const store = await makeStore();
    const { id } = await put(store, 'dave', Buffer.from('bye'));
    t.equal(await store.remove('dave', id), true);
    t.equal(await store.stat('dave', id), undefined);
    t.equal(await store.remove('dave', id), false);
  });

  t.test('users are kept apart', async (t) => {
    const store = await makeStore();
    const { id } = await put(store, 'erin', Buffer.from('mine'));
    t.equal(await store.stat('frank', id), undefined);
    t.same(await all(store.list('frank')), []);
  });

  t.test('bad user names never reach the backend', async (t) => {
    const store = await makeStore();
    for (const user of ['..', '../x', 'a/b', '']) {
      await t.rejects(store.begin(user, { name: 'x', type: 'x' }), { name: 'StorageError', kind: 'invalid' }, JSON.stringify(user));
    }
  });
}
