import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { DiskBackend } from '../../src/storage/disk/backend.js';
import { filesContract } from '../helpers/contract/files.js';

const made: string[] = [];
t.teardown(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

filesContract(t, async () => {
  const storageDir = mkdtempSync(join(tmpdir(), 'bdfu-disk-files-'));
  made.push(storageDir);
  const open = async () => new DiskBackend({ storageDir, staleUploadSeconds: 3600 });
  return { backend: await open(), sameStorage: open };
});
