import { randomBytes } from 'node:crypto';
import { constants, createReadStream, createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { access, mkdir, open, readdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import { HttpError } from '../core/http-error.js';
import { assertValidUserName } from './user-name.js';
import { FILE_ID, type ByteRange, type FileRecord, type OpenedFile, type PendingWrite, type Store, type UploadMeta, type WrittenFacts } from './store.js';

const TEMP_PREFIX = '.upload-';
const TEMP_SUFFIX = '.part';
const metaName = (id: string) => `.${id}.json`;

function runningAs(): string {
  try {
    const { username, uid } = userInfo();
    return `${username} (uid ${uid})`;
  } catch {
    return `uid ${process.getuid?.() ?? '?'}`;
  }
}

async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function ignoreMissing(promise: Promise<unknown>): Promise<void> {
  try {
    await promise;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/** STORAGE_DIR/<user>/<id>, metadata in STORAGE_DIR/<user>/.<id>.json, uploads in flight as .upload-*.part. */
export class FsStore implements Store {
  constructor(readonly root: string) {}

  private userDir(user: string): string {
    assertValidUserName(user);
    return join(this.root, user);
  }

  async check(): Promise<void> {
    try {
      await mkdir(this.root, { recursive: true });
      await access(this.root, constants.W_OK | constants.X_OK);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      throw new HttpError(500, 'storage_unwritable',
        `the storage directory ${this.root} is not writable by ${runningAs()} (${code}): create it and give that user write access`);
    }
  }

  async begin(user: string, meta: UploadMeta): Promise<PendingWrite> {
    const dir = this.userDir(user);
    await mkdir(dir, { recursive: true });
    const id = randomBytes(16).toString('hex');
    const temp = join(dir, `${TEMP_PREFIX}${id}${TEMP_SUFFIX}`);
    // flush: the bytes are fsynced before the file is closed, and so before it is renamed into place.
    const stream = createWriteStream(temp, { flags: 'wx', mode: 0o644, flush: true });
    await new Promise<void>((resolve, reject) => stream.once('open', () => resolve()).once('error', reject));
    let settled = false;

    const abort = async () => {
      if (settled) return;
      settled = true;
      stream.destroy();
      await finished(stream).catch(() => undefined);
      await ignoreMissing(unlink(temp));
    };

    const commit = async (facts: WrittenFacts): Promise<FileRecord> => {
      if (settled) throw new Error('upload already finished');
      try {
        if (!stream.writableEnded) stream.end();
        await finished(stream);
        const record: FileRecord = {
          id, user, name: meta.name, type: meta.type, size: facts.size, sha256: facts.sha256,
          uploaded: new Date().toISOString(),
          ...(meta.downloadTokenHash ? { downloadTokenHash: meta.downloadTokenHash } : {}),
        };
        const metaTemp = `${temp}.json`;
        await writeFile(metaTemp, JSON.stringify(record) + '\n', { flag: 'wx' });
        await rename(metaTemp, join(dir, metaName(id)));
        await rename(temp, join(dir, id));
        await fsyncDir(dir);
        settled = true;
        return record;
      } catch (error) {
        await abort();
        await ignoreMissing(unlink(join(dir, metaName(id))));
        throw error;
      }
    };
    return { id, stream, commit, abort };
  }

  async stat(user: string, id: string): Promise<FileRecord | undefined> {
    if (!FILE_ID.test(id)) return undefined;
    const dir = this.userDir(user);
    let size: number;
    let mtime: Date;
    try {
      ({ size, mtime } = await stat(join(dir, id)));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
      throw error;
    }
    try {
      return JSON.parse(await readFile(join(dir, metaName(id)), 'utf8')) as FileRecord;
    } catch {
      // Files put there by hand, or by the original bdfu, have no metadata.
      return { id, user, name: id, type: 'application/octet-stream', size, sha256: '', uploaded: mtime.toISOString() };
    }
  }

  async open(user: string, id: string, range?: ByteRange): Promise<OpenedFile | undefined> {
    const record = await this.stat(user, id);
    if (!record) return undefined;
    const stream = createReadStream(join(this.userDir(user), id), range ? { start: range.start, end: range.end } : {});
    return { record, stream };
  }

  async *list(user: string): AsyncIterable<FileRecord> {
    let names: string[];
    try {
      names = await readdir(this.userDir(user));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    for (const name of names.filter((n) => FILE_ID.test(n)).sort()) {
      const record = await this.stat(user, name);
      if (record) yield record;
    }
  }

  async *users(): AsyncIterable<string> {
    let entries;
    try {
      entries = await readdir(this.root, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    for (const entry of entries) {
      if (entry.isDirectory() && !entry.name.startsWith('.')) yield entry.name;
    }
  }

  async remove(user: string, id: string): Promise<boolean> {
    if (!FILE_ID.test(id)) return false;
    const dir = this.userDir(user);
    try {
      await unlink(join(dir, id));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
    await ignoreMissing(unlink(join(dir, metaName(id))));
    return true;
  }

  async sweep(olderThanSeconds: number, onlyUser?: string): Promise<number> {
    const cutoff = Date.now() - olderThanSeconds * 1000;
    let users: string[];
    try {
      users = onlyUser !== undefined ? [onlyUser] : (await readdir(this.root)).filter((n) => !n.startsWith('.'));
    } catch {
      return 0;
    }
    let removed = 0;
    for (const user of users) {
      const dir = join(this.root, user);
      let names: string[];
      try {
        names = await readdir(dir);
      } catch {
        continue;
      }
      const ids = new Set(names.filter((n) => FILE_ID.test(n)));
      for (const name of names) {
        const leftover = (name.startsWith(TEMP_PREFIX) && (name.endsWith(TEMP_SUFFIX) || name.endsWith(`${TEMP_SUFFIX}.json`))) ||
          (/^\.[0-9a-f]{32}\.json$/.test(name) && !ids.has(name.slice(1, 33)));
        if (!leftover) continue;
        try {
          const { mtimeMs } = await stat(join(dir, name));
          if (mtimeMs > cutoff) continue;
          await rm(join(dir, name), { force: true });
          removed++;
        } catch {
          // Raced with the upload finishing or another sweeper: nothing to do.
        }
      }
    }
    return removed;
  }
}
