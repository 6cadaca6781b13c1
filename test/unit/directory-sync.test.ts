import t from 'tap';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DirectorySync, fsyncDirectory } from '../../src/storage/directory-sync.js';

/** An fsync whose every call waits until the test ends it. */
function controlledFsync() {
  const calls: { dir: string; end: (error?: Error) => void }[] = [];
  const fsync = (dir: string) =>
    new Promise<void>((resolve, reject) => calls.push({ dir, end: (error) => (error ? reject(error) : resolve()) }));
  return { calls, fsync };
}

const settled = async (promise: Promise<unknown>) => {
  let done = false;
  void promise.then(() => (done = true), () => (done = true));
  await new Promise((r) => setImmediate(r));
  return done;
};

t.test('callers arriving during an fsync share the next one, which starts after it', async (t) => {
  const { calls, fsync } = controlledFsync();
  const sync = new DirectorySync(fsync);
  const first = sync.sync('/d');
  t.equal(calls.length, 1);
  const second = sync.sync('/d');
  const third = sync.sync('/d');
  t.equal(calls.length, 1, 'no second fsync while the first runs');
  calls[0]!.end();
  await first;
  t.notOk(await settled(second), 'a later caller is not covered by the fsync that was already running');
  t.equal(calls.length, 2, 'one fsync for both waiting callers');
  calls[1]!.end();
  await Promise.all([second, third]);
  t.equal(calls.length, 2);
  const fourth = sync.sync('/d');
  t.equal(calls.length, 3, 'an idle directory is synced at once');
  calls[2]!.end();
  await fourth;
});

t.test('directories are synced independently', async (t) => {
  const { calls, fsync } = controlledFsync();
  const sync = new DirectorySync(fsync);
  const a = sync.sync('/a');
  const b = sync.sync('/b');
  t.same(calls.map((c) => c.dir), ['/a', '/b']);
  calls.forEach((c) => c.end());
  await Promise.all([a, b]);
});

t.test('a failing fsync fails the callers it covers; the next caller gets a fresh one', async (t) => {
  const { calls, fsync } = controlledFsync();
  const sync = new DirectorySync(fsync);
  const first = sync.sync('/d');
  const waiting = sync.sync('/d');
  calls[0]!.end(new Error('EIO'));
  await t.rejects(first, /EIO/);
  t.equal(calls.length, 2, 'the waiting caller still gets its own fsync');
  calls[1]!.end();
  await t.resolves(waiting);
});

t.test('fsyncDirectory syncs a real directory and reports a missing one', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bdfu-dirsync-'));
  await t.resolves(fsyncDirectory(dir));
  await t.rejects(fsyncDirectory(join(dir, 'missing')), { code: 'ENOENT' });
});
