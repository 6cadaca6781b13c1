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
