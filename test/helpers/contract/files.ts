import { randomBytes } from 'node:crypto';
import type { Test } from 'tap';
import { QuotaExceededError } from '../../../src/storage/store.js';
import type { BackendFactory } from './backend-factory.js';
import { all, put, read, sha256 } from './io.js';

/**
 * What every backend's whole uploads (`backend.files`) promise, whether they rename a temporary
 * file (disk) or complete a multipart upload (object store). Run it once per backend.
 */
export function filesContract(t: Test, open: BackendFactory): void {
  t.test('a committed write is readable, listed and described', async (t) => {
    const { files } = (await open()).backend;
    const data = randomBytes(300_000);
    const record = await put(files, 'alice', data, { name: 'report.pdf' });
    t.match(record.id, /^[0-9a-f]{32}$/);
    t.equal(record.size, data.length);
    t.equal(record.name, 'report.pdf');
    t.equal(record.sha256, sha256(data));
    t.same(await files.stat('alice', record.id), record);
    const opened = await files.open('alice', record.id);
    t.same(opened?.record, record);
    t.same(await read(opened!.stream), data);
    t.same((await all(files.list('alice'))).map((r) => r.id), [record.id]);
  });

  t.test('another backend on the same storage sees the file', async (t) => {
    const under = await open();
    const record = await put(under.backend.files, 'shared', 'seen everywhere');
    const other = await under.sameStorage();
    t.same(await other.files.stat('shared', record.id), record);
  });

  t.test('nothing is visible before commit, and abort leaves nothing', async (t) => {
    const { files } = (await open()).backend;
    const pending = await files.begin('bob', { name: 'x', type: 'text/plain' });
    pending.stream.write(Buffer.from('partial'));
    t.equal(await files.stat('bob', pending.id), undefined, 'not visible while writing');
    t.same(await all(files.list('bob')), []);
    await pending.abort();
    await pending.abort();
    t.equal(await files.stat('bob', pending.id), undefined, 'not visible after abort');
    t.same(await all(files.list('bob')), []);
    t.equal(await files.sweep(0), 0, 'abort left no leftovers to sweep');
  });

  t.test('open returns the bytes, whole or an inclusive range', async (t) => {
    const { files } = (await open()).backend;
    const { id } = await put(files, 'carol', '0123456789');
    t.equal((await read((await files.open('carol', id))!.stream)).toString(), '0123456789');
    t.equal((await read((await files.open('carol', id, { start: 2, end: 4 }))!.stream)).toString(), '234');
    t.equal((await read((await files.open('carol', id, { start: 9, end: 9 }))!.stream)).toString(), '9');
  });

  t.test('unknown ids and users', async (t) => {
    const { files } = (await open()).backend;
    t.equal(await files.stat('nobody', '0'.repeat(32)), undefined);
    t.equal(await files.open('nobody', '0'.repeat(32)), undefined);
    t.equal(await files.stat('nobody', '../etc/passwd'), undefined, 'an id that is not an id');
    t.equal(await files.stat('nobody', 'not-an-id'), undefined);
    t.same(await all(files.list('nobody')), []);
    t.equal(await files.remove('nobody', '0'.repeat(32)), false);
  });

  t.test('users are kept apart', async (t) => {
    const { files } = (await open()).backend;
    const { id } = await put(files, 'erin', 'mine');
    t.equal(await files.stat('frank', id), undefined);
    t.equal(await files.open('frank', id), undefined);
    t.same(await all(files.list('frank')), []);
  });

  t.test('the download token hash is kept with the file', async (t) => {
    const { files } = (await open()).backend;
    const hash = 'a'.repeat(64);
    const record = await put(files, 'hasher', 'x', { downloadTokenHash: hash });
    t.equal(record.downloadTokenHash, hash);
    t.equal((await files.stat('hasher', record.id))?.downloadTokenHash, hash, 'stat sees it');
    const plain = await put(files, 'hasher', 'y');
    t.notOk('downloadTokenHash' in (await files.stat('hasher', plain.id))!, 'absent when not asked for');
  });

  t.test('list, users and remove', async (t) => {
    const { files } = (await open()).backend;
    t.same(await all(files.list('lonely')), [], 'no files for an unknown user');
    const a = await put(files, 'u1', 'a');
    const b = await put(files, 'u1', 'b', { name: 'b.txt' });
    await put(files, 'u2', 'c');
    const listed = await all(files.list('u1'));
    t.same(listed.map((r) => r.id).sort(), [a.id, b.id].sort());
    t.same(listed.find((r) => r.id === b.id), b, 'the full record');
    const users = await all(files.users());
    t.ok(users.includes('u1') && users.includes('u2'), 'users()');
    t.notOk(users.some((u) => u.startsWith('.')), 'no hidden entries');
    t.equal(await files.remove('u1', a.id), true);
    t.equal(await files.remove('u1', a.id), false, 'removing twice');
    t.equal(await files.stat('u1', a.id), undefined);
    t.same((await all(files.list('u1'))).map((r) => r.id), [b.id]);
  });

  t.test('bad user names never reach the storage', async (t) => {
    const { files } = (await open()).backend;
    for (const user of ['..', '../x', 'a/b', '', '.hidden']) {
      await t.rejects(files.begin(user, { name: 'x', type: 'x' }), { name: 'StorageError', kind: 'invalid' }, JSON.stringify(user));
    }
  });

  t.test('concurrent uploads to one user all land, each whole', async (t) => {
    const { files } = (await open()).backend;
    const bodies = Array.from({ length: 20 }, (_, i) => randomBytes(1000 + i * 3000));
    const records = await Promise.all(bodies.map((body, i) => put(files, 'many', body, { name: `f${i}` })));
    t.equal(new Set(records.map((r) => r.id)).size, 20);
    for (const [i, record] of records.entries()) t.equal(sha256(await read((await files.open('many', record.id))!.stream)), sha256(bodies[i]!));
  });

  t.test('the quota is never overshot by concurrent reservations', async (t) => {
    const { files } = (await open()).backend;
    if (!files.reserve) {
      t.fail('this backend cannot hold quota (reserve is missing)');
      return;
    }
    const quota = { bytes: 100, files: 0 };
    const outcomes = await Promise.allSettled(Array.from({ length: 12 }, () => files.reserve!('tight', 30, quota, true)));
    const held = outcomes.filter((o) => o.status === 'fulfilled');
    t.equal(held.length, 3, 'three of 30 bytes fit in 100');
    t.ok(outcomes.filter((o) => o.status === 'rejected').every((o) => (o as PromiseRejectedResult).reason instanceof QuotaExceededError), 'the rest: quota');
    for (const o of held) await (o as PromiseFulfilledResult<{ release(): Promise<void> }>).value.release();
    const again = await files.reserve('tight', 100, quota, true);
    t.equal(again.bytes, 100, 'released room is free again');
    await again.release();
  });

  t.test('the files quota counts files kept and uploads in flight', async (t) => {
    const { files } = (await open()).backend;
    const quota = { bytes: 0, files: 2 };
    const first = await files.reserve!('counted', 1, quota, true);
    const pending = await files.begin('counted', { name: 'a', type: 'b' }, first);
    pending.stream.end(Buffer.from('a'));
    await pending.commit({ size: 1, sha256: sha256('a') });
    const second = await files.reserve!('counted', 1, quota, true);
    await t.rejects(files.reserve!('counted', 1, quota, true), { name: 'QuotaExceededError', kind: 'quota', unit: 'files' });
    await second.release();
  });
}
