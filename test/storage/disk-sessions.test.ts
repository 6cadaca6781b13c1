import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { DiskBackend } from '../../src/storage/disk/backend.js';
import { sessionsContract } from '../helpers/contract/sessions.js';

const made: string[] = [];
t.teardown(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

sessionsContract(t, async () => {
  const storageDir = mkdtempSync(join(tmpdir(), 'bdfu-disk-sessions-'));
  made.push(storageDir);
  const open = async () => new DiskBackend({ storageDir, staleUploadSeconds: 3600 });
  return { backend: await open(), sameStorage: open };
});

t.test('on the disk, the append that ends an upload makes its file under its own lock (one lock file made and removed, not two)', async (t) => {
  const { Readable } = await import('node:stream');
  const { readdirSync } = await import('node:fs');
  const storageDir = mkdtempSync(join(tmpdir(), 'bdfu-disk-sessions-'));
  made.push(storageDir);
  const sessions = new DiskBackend({ storageDir, staleUploadSeconds: 3600 }).sessions!;
  const limits = { quota: { bytes: 0, files: 0 }, maxBytes: 1 << 20 };
  const session = await sessions.create('dora', { meta: { name: 'a.txt', type: 'text/plain', extra: {} }, expiresAt: new Date(Date.now() + 3600_000), length: 3, ...limits });
  const appended = await sessions.append('dora', session.id, 0, Readable.from([Buffer.from('abc')]), { ...limits, complete: {} });
  t.match(appended.file, { id: session.id, size: 3 }, 'the append returned the file');
  t.ok(readdirSync(join(storageDir, 'dora')).includes(session.id), 'and the file is in place');
  t.notOk(readdirSync(join(storageDir, 'dora')).some((name) => name.endsWith('.lock')), 'with no lock left');
});

t.test('on the disk, createWhole: a creation that carries every byte is stored in one step, or left resumable', async (t) => {
  const { Readable } = await import('node:stream');
  const { readdirSync, readFileSync } = await import('node:fs');
  const { createHash } = await import('node:crypto');
  const storageDir = mkdtempSync(join(tmpdir(), 'bdfu-disk-sessions-'));
  made.push(storageDir);
  const sessions = new DiskBackend({ storageDir, staleUploadSeconds: 3600 }).sessions!;
  const meta = { name: 'w.bin', type: 'application/octet-stream', extra: {} };
  const init = (length: number, quota = { bytes: 0, files: 0 }) => ({ meta, expiresAt: new Date(Date.now() + 3600_000), length, quota, maxBytes: 1 << 20 });
  const names = (user: string) => readdirSync(join(storageDir, user)).sort();
  const data = Buffer.from('every byte at once');
  const sha = createHash('sha256').update(data).digest('hex');

  const whole = await sessions.createWhole!('wanda', init(data.length), Readable.from([data.subarray(0, 5), data.subarray(5)]));
  t.match(whole, { offset: data.length, length: data.length, file: { id: whole.id, size: data.length, sha256: sha, name: 'w.bin' } }, 'the session comes back finished, with its file');
  t.same(readFileSync(join(storageDir, 'wanda', whole.id)), data, 'the file holds the bytes');
  t.same(names('wanda'), [`.${whole.id}.json`, `.session-${whole.id}.json`, whole.id].sort(), 'its record and its finished state beside it: no part, no lock');
  t.match(await sessions.get('wanda', whole.id), { offset: data.length, file: { sha256: sha } }, 'get() says it is finished');
  t.match(await sessions.complete('wanda', whole.id), { id: whole.id, sha256: sha }, 'complete() returns the same file');

  const short = await sessions.createWhole!('wanda', init(10), Readable.from([Buffer.from('abcd')]));
  t.equal(short.file, undefined, 'a body that ends short makes no file');
  t.equal(short.offset, 4, 'the session is at the bytes that arrived');
  const resumed = await sessions.append('wanda', short.id, 4, Readable.from([Buffer.from('efghij')]), { quota: { bytes: 0, files: 0 }, maxBytes: 1 << 20, complete: {} });
  t.equal(resumed.file?.sha256, createHash('sha256').update('abcdefghij').digest('hex'), 'and is resumed to the end as any session');

  let reads = 0;
  const failing = new Readable({
    read() {
      if (reads++ === 0) this.push(Buffer.from('xyz'));
      else this.destroy(new Error('client went away'));
    },
  });
  const cut = await sessions.createWhole!('wanda', init(10), failing);
  t.match(cut, { offset: 3, file: undefined }, 'a body that fails keeps what reached the disk, resumable');
  t.match(await sessions.get('wanda', cut.id), { offset: 3 });

  await t.rejects(sessions.createWhole!('vera', init(3), Readable.from([Buffer.from('four')])), { name: 'StorageError', kind: 'too_large' }, 'more than the length is refused');
  t.same(names('vera'), [], 'and nothing is left');
  await t.rejects(sessions.createWhole!('vera', init(3), Readable.from([Buffer.from('abc')]), { beforeCommit: async () => { throw new Error('not this'); } }), { name: 'StorageError', kind: 'rejected' });
  t.same(names('vera'), [], 'a refusal by beforeCommit leaves nothing either');
  await t.rejects(sessions.createWhole!('vera', init(3, { bytes: 2, files: 0 }), Readable.from([Buffer.from('abc')])), { name: 'QuotaExceededError' }, 'the quota is held before the bytes');
  t.notOk(names('vera').some((name) => name.startsWith('.session-')), 'nothing of the refused session is left');
  const inQuota = await sessions.createWhole!('vera', init(3, { bytes: 100, files: 2 }), Readable.from([Buffer.from('abc')]));
  t.equal(inQuota.file?.size, 3, 'within the quota it is stored');

  // While the bytes come: a small body has no state yet (nobody knows its id); a larger one, which
  // may take long, has its state first, as any session, so no sweep takes its part for an orphan.
  const { existsSync } = await import('node:fs');
  const statesWhileStreaming = async (length: number): Promise<boolean> => {
    let sent = 0;
    let seen = false;
    const states = () => (existsSync(join(storageDir, 'stella')) ? readdirSync(join(storageDir, 'stella')) : []).filter((name) => /^\.session-[0-9a-f]{32}\.json$/.test(name));
    const before = new Set(states());
    const body = new Readable({
      read() {
        if (sent > 0) seen = states().some((name) => !before.has(name));
        const n = Math.min(16 << 10, length - sent);
        sent += n;
        this.push(n > 0 ? Buffer.alloc(n, 1) : null);
      },
    });
    const done = await sessions.createWhole!('stella', init(length), body);
    t.ok(existsSync(join(storageDir, 'stella', done.id)), `${length} bytes stored`);
    return seen;
  };
  t.notOk(await statesWhileStreaming(48 << 10), 'a 48 KiB body: no state while it streams');
  t.ok(await statesWhileStreaming(300 << 10), 'a 300 KiB body: its state is there while it streams');
});
