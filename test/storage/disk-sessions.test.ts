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
