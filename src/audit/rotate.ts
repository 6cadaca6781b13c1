import { open, rename, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { auditPaths } from './entry.js';

/**
 * Moves a log that reached `maxBytes` to `.audit.jsonl.1` (replacing the one before), so the
 * trail takes at most about twice `maxBytes`. It takes the anonymize run's lock (the rewrite
 * file), so a rotation never races an anonymize run; if that lock is taken, a later append
 * rotates. Appenders that opened the old log just before finish their line in `.1`.
 */
export async function rotateIfFull(storageDir: string, maxBytes: number): Promise<boolean> {
  const paths = auditPaths(storageDir);
  let lock;
  try {
    lock = await open(paths.rewrite, 'wx', 0o600);
  } catch {
    return false;
  }
  try {
    const size = await stat(paths.log).then((info) => info.size, () => 0);
    if (size < maxBytes) return false;
    await rename(paths.log, paths.previous);
    const dir = await open(dirname(paths.log), 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
    return true;
  } finally {
    await lock.close();
    await unlink(paths.rewrite).catch(() => undefined);
  }
}
