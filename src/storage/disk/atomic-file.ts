import { randomBytes } from 'node:crypto';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fsyncDirectory } from '../directory-sync.js';

/** Temporary files start with this; a reader skips them and a repair may remove them. */
export const TEMP_FILE_PREFIX = '.tmp-';

export const tempPathBeside = (path: string) => join(dirname(path), `${TEMP_FILE_PREFIX}${randomBytes(8).toString('hex')}-${basename(path).slice(0, 40)}`);

/**
 * Replaces `path` with `data` so that a reader (or a crash) sees the old content or the new,
 * never a mix: written to a temporary file beside it, fsynced, renamed over it, and the
 * directory fsynced (unless `syncDirectory` is false because the caller syncs it once later).
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, syncDirectory = true): Promise<void> {
  const temp = tempPathBeside(path);
  const handle = await open(temp, 'wx', 0o644);
  try {
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  if (syncDirectory) await fsyncDirectory(dirname(path));
}

export async function readJson<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return undefined;
    throw error;
  }
}

/**
 * Replaces several files at once, for one change that touches many (a document, its history,
 * the ETags of the folders above it): every new content is written and fsynced in parallel,
 * then renamed into place in the order given, then every directory fsynced (in parallel).
 * A reader sees each file old or new; a crash between renames is for the caller to repair.
 */
export async function replaceFilesAtomic(files: readonly { path: string; data: string | Uint8Array }[], alsoSync: readonly string[] = []): Promise<void> {
  const temps = files.map((file) => tempPathBeside(file.path));
  try {
    await Promise.all(files.map(async (file, i) => {
      const handle = await open(temps[i]!, 'wx', 0o644);
      try {
        await handle.writeFile(file.data);
        await handle.sync();
      } finally {
        await handle.close();
      }
    }));
    for (const [i, file] of files.entries()) await rename(temps[i]!, file.path);
  } catch (error) {
    await Promise.all(temps.map((temp) => unlink(temp).catch(() => undefined)));
    throw error;
  }
  const directories = new Set([...files.map((file) => dirname(file.path)), ...alsoSync]);
  // A directory the change emptied and removed is gone: its parent's fsync covers that.
  await Promise.all([...directories].map((dir) => fsyncDirectory(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  })));
}
