import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import t from 'tap';
import { DiskSessions } from '../../src/storage/disk/sessions.js';
import { FsStore } from '../../src/storage/fs-store.js';
import type { SessionInit } from '../../src/storage/sessions.js';

// What only the disk can show: the files a session is made of, and processes that die.

const WRITER = new URL('../helpers/session-writer.mjs', import.meta.url).pathname;
const root = mkdtempSync(join(tmpdir(), 'bdfu-disk-crash-'));
t.teardown(() => rmSync(root, { recursive: true, force: true }));
const NO_QUOTA = { bytes: 0, files: 0 };
const init = (over: Partial<SessionInit> = {}): SessionInit => ({
  meta: { name: 'n', type: 't', extra: {} }, expiresAt: new Date(Date.now() + 3600_000), quota: NO_QUOTA, maxBytes: 2 ** 40, ...over,
});
const options = { quota: NO_QUOTA, maxBytes: 2 ** 40 };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

t.test('layout: the session lives beside the user’s files, and becomes STORAGE_DIR/<user>/<id>', async (t) => {
  const sessions = new DiskSessions(root);
  const session = await sessions.create('layout', init({ length: 3 }));
  t.same(readdirSync(join(root, 'layout')).sort(), [`.session-${session.id}.json`, `.session-${session.id}.part`]);
  await sessions.append('layout', session.id, 0, Readable.from([Buffer.from('abc')]), options);
  t.same(readdirSync(join(root, 'layout')).sort(), [`.session-${session.id}.json`, `.session-${session.id}.part`], 'the lock is gone after the append');
  await sessions.complete('layout', session.id);
  t.same(readdirSync(join(root, 'layout')).sort(), [`.${session.id}.json`, `.session-${session.id}.json`, session.id].sort(), 'the file and its record, as a multipart upload leaves them');
});

t.test('a writer process killed mid-append: the offset is what reached storage, and the lock is free at once', async (t) => {
  const sessions = new DiskSessions(root, { lockTtlMs: 600_000 });
  const first = randomBytes(256 * 1024);
  const session = await sessions.create('crash', init({ length: 1024 * 1024 }));
  const part = join(root, 'crash', `.session-${session.id}.part`);
  const child = spawn(process.execPath, [WRITER, root, 'crash', session.id, '0'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.stdin.write(first);
  // The child has written what it was sent (the pipe stays open: it waits for more).
  while (!existsSync(part) || statSync(part).size < first.length) await sleep(20);
  t.ok(existsSync(join(root, 'crash', `.session-${session.id}.lock`)), 'the writer holds the lock');
  await t.rejects(sessions.append('crash', session.id, first.length, Readable.from([Buffer.from('x')]), options), { name: 'StorageError', kind: 'locked' }, 'a second writer is refused meanwhile');
  child.kill('SIGKILL');
  await exited;
  const after = await sessions.get('crash', session.id);
  t.equal(after?.offset, first.length, 'the offset is every byte that reached storage');
  const rest = randomBytes(1024 * 1024 - first.length);
  const resumed = await sessions.append('crash', session.id, first.length, Readable.from([rest]), options);
  t.equal(resumed.offset, 1024 * 1024, 'the dead writer’s lock did not wait for its TTL (10 minutes)');
  const record = await sessions.complete('crash', session.id);
  t.equal(record.sha256, createHash('sha256').update(first).update(rest).digest('hex'), 'the file is whole: re-read once, as another process began it');
});

t.test('a deferred-length writer killed mid-append holds only what arrived against the quota', async (t) => {
  const sessions = new DiskSessions(root, { lockTtlMs: 600_000 });
  const quota = { bytes: 1024 * 1024, files: 0 };
  const session = await sessions.create('deferred', init({ quota }));
  const part = join(root, 'deferred', `.session-${session.id}.part`);
  const child = spawn(process.execPath, [WRITER, root, 'deferred', session.id, '0', String(quota.bytes)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.stdin.write(Buffer.alloc(100_000));
  while (!existsSync(part) || statSync(part).size < 100_000) await sleep(20);
  const store = new FsStore(root);
  await t.rejects(store.reserve('deferred', quota.bytes - 100_000, quota, true), { name: /Error$/, kind: 'quota' }, 'while it writes, the append holds the room it may fill');
  child.kill('SIGKILL');
  await exited;
  const room = await store.reserve('deferred', quota.bytes - 100_000, quota, true);
  t.equal(room.bytes, quota.bytes - 100_000, 'once it died, only the 100000 bytes that arrived count');
  await room.release();
});

t.test('a checksummed chunk whose writer died is discarded when the lock is taken over', async (t) => {
  const sessions = new DiskSessions(root);
  const session = await sessions.create('chk', init({ length: 10 }));
  await sessions.append('chk', session.id, 0, Readable.from([Buffer.from('abcd')]), options);
  const dir = join(root, 'chk');
  // What a writer that died in its checksummed chunk leaves: bytes past its start, and its lock.
  writeFileSync(join(dir, `.session-${session.id}.part`), 'abcdEFG');
  writeFileSync(join(dir, `.session-${session.id}.lock`), JSON.stringify({ pid: 2 ** 22 + 1, host: (await import('node:os')).hostname(), token: 'dead', start: 4, discard: true }));
  t.equal((await sessions.get('chk', session.id))?.offset, 4, 'its unverified bytes do not count');
  await sessions.append('chk', session.id, 4, Readable.from([Buffer.from('efghij')]), options);
  t.equal((await sessions.complete('chk', session.id)).sha256, createHash('sha256').update('abcdefghij').digest('hex'));
});

t.test('a lock held from another host is free once its TTL passed without renewal', async (t) => {
  const ttl = 300;
  const sessions = new DiskSessions(root, { lockTtlMs: ttl });
  const session = await sessions.create('far', init({ length: 2 }));
  const lock = join(root, 'far', `.session-${session.id}.lock`);
  writeFileSync(lock, JSON.stringify({ pid: 1, host: 'another-host.example', token: 'far', start: 0, discard: false }));
  await t.rejects(sessions.append('far', session.id, 0, Readable.from([Buffer.from('a')]), options), { name: 'StorageError', kind: 'locked' });
  await sleep(ttl * 2);
  t.equal((await sessions.append('far', session.id, 0, Readable.from([Buffer.from('ab')]), options)).offset, 2, 'free after the TTL');
  t.notOk(existsSync(lock), 'and released after the append');
});

t.test('sweep removes what a crash while creating left (files without state), once old', async (t) => {
  const sessions = new DiskSessions(root, { orphanSeconds: 0 });
  const dir = join(root, 'orphans');
  await sessions.create('orphans', init());
  const orphan = join(dir, `.session-${'f'.repeat(32)}.part`);
  writeFileSync(orphan, 'left');
  await sleep(5);
  t.equal(await sessions.sweep(), 1);
  t.notOk(existsSync(orphan));
  t.equal(readdirSync(dir).length, 2, 'the live session is kept');
});
