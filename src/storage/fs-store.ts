import { closeSync, constants, createReadStream, open as openCallback, renameSync, unlinkSync, writeSync } from 'node:fs';
import { finished } from 'node:stream/promises';
import { access, lstat, mkdir, open as openFile, readdir, readFile, rm, stat, unlink } from 'node:fs/promises';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import { caseProblem, isCaseInsensitive } from './case-folding.js';
import { DirectorySync } from './directory-sync.js';
import { DurableFile } from './disk/durable-file.js';
import { writeRecordDurably } from './disk/durable-record.js';
import { PRIVATE_MODES, type StorageModes } from './file-modes.js';
import { StorageError } from './errors.js';
import { assertValidUserName } from './user-name.js';
import { leaseName, lockAbandoned, metadataIdOf, ownerGone, ownLease, readLease, removeUpload, TEMP_PREFIX, TEMP_SUFFIX, uploadIdOf, usageOf, withUserLock } from './fs-lease.js';
import {
  FILE_ID, QuotaExceededError, type ByteRange, type FileRecord, type OpenedFile, type PendingWrite, type Quota,
  type Reservation, type Store, type UploadMeta, type WrittenFacts,
} from './store.js';
import { unwritableAdvice } from './unwritable-advice.js';
import { newId } from './new-id.js';
import { READ_CHUNK_BYTES } from './read-chunk.js';

const metaName = (id: string) => `.${id}.json`;

/** open(2) in libuv's thread pool, to a plain descriptor (the lease's few bytes are then written synchronously). */
const openDescriptor = promisify(openCallback);

/** Reservations whose lease is now an upload's metadata: releasing them has nothing to remove. */
const becameMetadata = new WeakSet<Reservation>();

function runningAs(): string {
  try {
    const { username, uid } = userInfo();
    return `${username} (uid ${uid})`;
  } catch {
    return `uid ${process.getuid?.() ?? '?'}`;
  }
}

/** unlink(2), synchronously (see reserveIn); a file already gone is fine. */
function removeIfThere(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

async function ignoreMissing(promise: Promise<unknown>): Promise<void> {
  try {
    await promise;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/** Stored files and their metadata are opened without following symbolic links. */
const NO_FOLLOW = constants.O_RDONLY | constants.O_NOFOLLOW;

export interface FsStoreOptions {
  /** File and directory modes; private (0600/0700) by default. */
  modes?: StorageModes;
  /** Whether STORAGE_DIR folds case; found out by a probe file when not given (tests inject it). */
  caseInsensitive?: boolean;
}

/** STORAGE_DIR/<user>/<id>, metadata in STORAGE_DIR/<user>/.<id>.json, uploads in flight as .upload-*.part. */
export class FsStore implements Store {
  private readonly directorySync = new DirectorySync();
  private readonly modes: StorageModes;
  private caseInsensitive: boolean | undefined;

  constructor(readonly root: string, options: FsStoreOptions = {}) {
    this.modes = options.modes ?? PRIVATE_MODES;
    this.caseInsensitive = options.caseInsensitive;
  }

  private userDir(user: string): string {
    assertValidUserName(user);
    const problem = this.caseInsensitive ? caseProblem(user) : undefined;
    if (problem) throw new StorageError('invalid', `the user name ${JSON.stringify(user.slice(0, 80))} ${problem}`, { details: { field: 'user' } });
    return join(this.root, user);
  }

  /** Probes the file system's case handling once (a store that was never check()ed probes on first use). */
  private async foldingKnown(): Promise<void> {
    if (this.caseInsensitive !== undefined) return;
    try {
      this.caseInsensitive = await isCaseInsensitive(this.root);
    } catch {
      // No storage directory yet, or not writable: nothing stored to alias; probe again next time.
    }
  }

  async check(): Promise<void> {
    try {
      await mkdir(this.root, { recursive: true, mode: this.modes.dir });
      await access(this.root, constants.W_OK | constants.X_OK);
      await this.foldingKnown();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      throw new StorageError('unwritable',
        `the storage directory ${this.root} is not writable by ${runningAs()} (${code}): ${unwritableAdvice(this.root)}`, { cause: error });
    }
  }

  async reserve(user: string, bytes: number, quota: Quota, exact: boolean): Promise<Reservation> {
    // The user's directory is made only when missing (a new user), not with an mkdir per upload.
    await this.foldingKnown();
    try {
      return await this.reserveIn(user, bytes, quota, exact);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      await mkdir(this.userDir(user), { recursive: true, mode: this.modes.dir });
      return this.reserveIn(user, bytes, quota, exact);
    }
  }

  private async reserveIn(user: string, bytes: number, quota: Quota, exact: boolean): Promise<Reservation> {
    const dir = this.userDir(user);
    const id = newId();
    const lease = join(dir, leaseName(id));
    // The lease's turning into the metadata, the renames and a lease's removal are synchronous
    // calls: each takes microseconds on a local disk, less than a round trip through libuv's
    // thread pool costs (measured: ~30 % more small uploads per second, docs/performance.md,
    // figure 3). Making a file is not: the kernel's search for a free inode took ~0.6 ms per
    // upload under load here, so the lease, like the temporary file and the bytes, is made off
    // the main thread. The lease has the metadata's mode, as it becomes the metadata.
    const hold = async (granted: number): Promise<Reservation> => {
      const fd = await openDescriptor(lease, 'wx', this.modes.file);
      try {
        writeSync(fd, JSON.stringify(ownLease(granted)));
      } finally {
        closeSync(fd);
      }
      let released = false;
      const reservation: Reservation = {
        id, user, bytes: granted,
        release: async () => {
          if (released || becameMetadata.has(reservation)) return;
          released = true;
          removeIfThere(lease);
        },
      };
      return reservation;
    };
    if (quota.bytes === 0 && quota.files === 0) return hold(bytes);
    return withUserLock(dir, async () => {
      const used = await usageOf(dir);
      if (quota.files > 0 && used.files + 1 > quota.files) {
        throw new QuotaExceededError(`quota exceeded: ${user} has ${used.files} of ${quota.files} files allowed (uploads in flight included)`,
          used.files, quota.files, 'files');
      }
      if (quota.bytes === 0) return hold(bytes);
      const left = quota.bytes - used.bytes;
      if (left <= 0 || (exact && bytes > left)) {
        throw new QuotaExceededError(
          `quota exceeded: ${user} uses ${used.bytes} of ${quota.bytes} bytes allowed (uploads in flight included)` +
            (exact ? `, and this upload needs ${bytes}` : ''),
          used.bytes, quota.bytes, 'bytes');
      }
      return hold(Math.min(bytes, left));
    });
  }

  async begin(user: string, meta: UploadMeta, reservation?: Reservation): Promise<PendingWrite> {
    await this.foldingKnown();
    const dir = this.userDir(user);
    const held = reservation ?? (await this.reserve(user, 0, { bytes: 0, files: 0 }, false));
    if (held.user !== user) throw new Error('the reservation is for another user');
    const id = held.id;
    const temp = join(dir, `${TEMP_PREFIX}${id}${TEMP_SUFFIX}`);
    let stream: DurableFile;
    try {
      // The bytes are flushed (fdatasync) before the file is closed, and so before it is renamed into place.
      stream = await DurableFile.createIn(dir, temp, this.modes);
    } catch (error) {
      await held.release();
      throw error;
    }
    let settled = false;

    const abort = async () => {
      if (settled) return;
      settled = true;
      stream.destroy();
      await finished(stream).catch(() => undefined);
      await ignoreMissing(unlink(temp));
      await held.release();
    };

    const commit = async (facts: WrittenFacts): Promise<FileRecord> => {
      if (settled) throw new Error('upload already finished');
      try {
        if (!stream.writableEnded) stream.end();
        const record: FileRecord = {
          id, user, name: meta.name, type: meta.type, size: facts.size, sha256: facts.sha256,
          uploaded: new Date().toISOString(),
          ...(meta.downloadTokenHash ? { downloadTokenHash: meta.downloadTokenHash } : {}),
        };
        await finished(stream);
        // The lease becomes the metadata: rewritten in place and renamed, so an upload makes no
        // file that it then removes (each freed inode slows later file creation: docs/performance.md,
        // figure 3). The metadata is read only for a file that exists, and the file appears (by
        // rename) only after it. Until then usageOf counts it as it counted the lease; metadata
        // whose file never appears is swept as a leftover.
        const lease = join(dir, leaseName(id));
        await writeRecordDurably(lease, JSON.stringify(record) + '\n', this.modes.file);
        renameSync(lease, join(dir, metaName(id)));
        becameMetadata.add(held);
        renameSync(temp, join(dir, id));
        await this.directorySync.sync(dir);
        settled = true;
        await held.release();
        return record;
      } catch (error) {
        await abort();
        await ignoreMissing(unlink(join(dir, metaName(id))));
        throw error;
      }
    };
    return { id, stream, path: temp, commit, abort };
  }

  async stat(user: string, id: string): Promise<FileRecord | undefined> {
    if (!FILE_ID.test(id)) return undefined;
    await this.foldingKnown();
    const dir = this.userDir(user);
    let size: number;
    let mtime: Date;
    try {
      const info = await lstat(join(dir, id));
      // A symbolic link (or anything but a plain file) put there is not a stored file.
      if (!info.isFile()) return undefined;
      ({ size, mtime } = info);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
      throw error;
    }
    try {
      return JSON.parse(await readFile(join(dir, metaName(id)), { encoding: 'utf8', flag: NO_FOLLOW })) as FileRecord;
    } catch {
      // Files put there by hand, or by the original bdfu, have no metadata.
      return { id, user, name: id, type: 'application/octet-stream', size, sha256: '', uploaded: mtime.toISOString() };
    }
  }

  async open(user: string, id: string, range?: ByteRange): Promise<OpenedFile | undefined> {
    const record = await this.stat(user, id);
    if (!record) return undefined;
    let handle;
    try {
      handle = await openFile(join(this.userDir(user), id), NO_FOLLOW);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ELOOP') return undefined;
      throw error;
    }
    if (!(await handle.stat()).isFile()) {
      await handle.close();
      return undefined;
    }
    const stream = createReadStream('', { fd: handle, highWaterMark: READ_CHUNK_BYTES, ...(range ? { start: range.start, end: range.end } : {}) });
    return { record, stream };
  }

  async *list(user: string): AsyncIterable<FileRecord> {
    let names: string[];
    await this.foldingKnown();
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
    await this.foldingKnown();
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
      removed += await sweepUploads(dir, names, cutoff);
      const ids = new Set(names.filter((n) => FILE_ID.test(n)));
      for (const name of names) {
        const metaId = metadataIdOf(name);
        const orphanMeta = metaId !== undefined && !ids.has(metaId);
        const abandonedLock = name === '.quota.lock' && (await lockAbandoned(join(dir, name)));
        if (!orphanMeta && !abandonedLock) continue;
        try {
          const { mtimeMs } = await stat(join(dir, name));
          if (orphanMeta && mtimeMs > cutoff) continue;
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

/** Uploads in flight whose process is gone, or that nobody touched since `cutoff`. */
async function sweepUploads(dir: string, names: readonly string[], cutoff: number): Promise<number> {
  const ids = new Set(names.map(uploadIdOf).filter((id): id is string => id !== undefined && FILE_ID.test(id)));
  let removed = 0;
  for (const id of ids) {
    const lease = await readLease(join(dir, leaseName(id)));
    let gone = lease !== undefined && ownerGone(lease);
    if (!gone) {
      const times = await Promise.all(
        names.filter((name) => uploadIdOf(name) === id).map((name) => stat(join(dir, name)).then((s) => s.mtimeMs, () => 0)),
      );
      gone = times.every((mtime) => mtime <= cutoff);
    }
    if (gone) removed += await removeUpload(dir, id, names);
  }
  return removed;
}
