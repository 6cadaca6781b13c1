import { createHash, randomBytes, type Hash } from 'node:crypto';
import { createReadStream, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { mkdir, open, readdir, rm, stat, truncate, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { DirectorySync } from '../directory-sync.js';
import { PRIVATE_MODES, type StorageModes } from '../file-modes.js';
import { StorageError } from '../errors.js';
import { usageOf, withUserLock } from '../fs-lease.js';
import { checkBeforeCommit, type AppendOptions, type FinishOptions, type ResumableSessions, type Session, type SessionInit, type SessionMeta } from '../sessions.js';
import { FILE_ID, QuotaExceededError, type FileRecord, type Quota } from '../store.js';
import { assertValidUserName } from '../user-name.js';
import { BatchedWriter } from './batched-writer.js';
import { FlushBehind } from './flush-behind.js';
import { DurableFile, SYNC_WRITE_LIMIT } from './durable-file.js';
import { writeRecordDurably } from './durable-record.js';
import { sessionIdOf, sessionPaths, type SessionState } from './session-files.js';
import { lockStale, readHolder, SessionLock } from './session-lock.js';
import { streamIntoFile } from './stream-into-file.js';
import { newId } from '../new-id.js';

export interface DiskSessionsOptions {
  /** A writer lock not renewed for this long is free (a dead holder on this host frees it at once). */
  lockTtlMs?: number;
  /** Session files without their state (a crash while creating or removing one) older than this are swept. */
  orphanSeconds?: number;
  /** File and directory modes (STORAGE_MODE); private by default. */
  modes?: StorageModes;
}

const DEFAULT_LOCK_TTL_MS = 30_000;
const DEFAULT_ORPHAN_SECONDS = 3600;
/** Running hashes kept per process (each a few hundred bytes). */
const MAX_RUNNING = 1024;

/** A creation body up to this size is written before its session's state (createWhole). */
const SMALL_BODY_BYTES = SYNC_WRITE_LIMIT;

const noQuota = (quota: Quota) => quota.bytes === 0 && quota.files === 0;

function missing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

async function sizeOf(path: string): Promise<number> {
  try {
    return statSync(path).size;
  } catch (error) {
    if (missing(error)) return 0;
    throw error;
  }
}

async function datasyncFile(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

/** Writes a file whole or not at all (readers in other processes see the old or the new state). */
async function writeAtomically(path: string, text: string, mode: number): Promise<void> {
  const temp = `${path}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temp, text, { mode });
  try {
    renameSync(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

/** An errno from the disk, as storage says it. */
function diskFailure(error: unknown): unknown {
  if (error instanceof StorageError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return new StorageError('full', `the disk is full (${code})`, { cause: error });
  return error;
}

/** The running sha256 of a session this process wrote from its first byte. */
interface Running {
  hash: Hash;
  offset: number;
  /**
   * Flushes the part behind the writes of every PATCH this process takes, on a descriptor of its
   * own, so that no PATCH waits for one (waiting at the end of every fourth 8 MiB PATCH cost ~5 %).
   * Completion waits for the one under way, and fails on a failed one.
   */
  behind: FlushBehind;
}

/**
 * Resumable sessions on the disk: state in files every process on the host sees (see
 * session-files.ts), one writer at a time per session (session-lock.ts), quota held in the same
 * reckoning as whole uploads (fs-lease.ts `usageOf`, under the user's quota lock).
 */
export class DiskSessions implements ResumableSessions {
  private readonly lockTtlMs: number;
  private readonly modes: StorageModes;
  private readonly orphanSeconds: number;
  private readonly running = new Map<string, Running>();
  private readonly directorySync = new DirectorySync();

  constructor(
    readonly root: string,
    options: DiskSessionsOptions = {},
  ) {
    this.lockTtlMs = options.lockTtlMs ?? DEFAULT_LOCK_TTL_MS;
    this.modes = options.modes ?? PRIVATE_MODES;
    this.orphanSeconds = options.orphanSeconds ?? DEFAULT_ORPHAN_SECONDS;
  }

  private userDir(user: string): string {
    assertValidUserName(user);
    return join(this.root, user);
  }

  private async readState(dir: string, id: string): Promise<SessionState | undefined> {
    if (!FILE_ID.test(id)) return undefined;
    try {
      return JSON.parse(readFileSync(sessionPaths(dir, id).state, 'utf8')) as SessionState;
    } catch (error) {
      if (missing(error) || error instanceof SyntaxError) return undefined;
      throw error;
    }
  }

  /** What reached storage, less a checksummed chunk still being written (or left by a writer that died). */
  private async offsetOf(dir: string, id: string, state: SessionState): Promise<number> {
    if (state.file) return state.file.size;
    const paths = sessionPaths(dir, id);
    const [size, holder] = await Promise.all([sizeOf(paths.part), readHolder(paths.lock)]);
    return holder?.discard ? Math.min(size, holder.start) : size;
  }

  private async sessionOf(dir: string, state: SessionState): Promise<Session> {
    const { held: _held, ...rest } = state;
    return { ...rest, offset: await this.offsetOf(dir, state.id, state) };
  }

  /** Holds `bytes` more (and, when `newFile`, one file) for `user`, atomically with every other upload and session. */
  private async hold<T>(dir: string, user: string, quota: Quota, needs: { bytes: number; files: number }, exact: boolean, then: (grantedBytes: number) => Promise<T>): Promise<T> {
    if (noQuota(quota)) return then(needs.bytes);
    return withUserLock(dir, async () => {
      const used = await usageOf(dir);
      if (quota.files > 0 && needs.files > 0 && used.files + needs.files > quota.files) {
        throw new QuotaExceededError(`quota exceeded: ${user} has ${used.files} of ${quota.files} files allowed (uploads in flight included)`, used.files, quota.files, 'files');
      }
      if (quota.bytes === 0) return then(needs.bytes);
      const left = Math.max(0, quota.bytes - used.bytes);
      if (exact ? needs.bytes > left : needs.bytes > 0 && left === 0) {
        throw new QuotaExceededError(`quota exceeded: ${user} uses ${used.bytes} of ${quota.bytes} bytes allowed (uploads in flight included)` +
          (exact ? `, and this upload needs ${needs.bytes}` : ''), used.bytes, quota.bytes, 'bytes');
      }
      return then(Math.min(needs.bytes, left));
    });
  }

  /** A new session's state (its length checked), not yet written. */
  private newState(user: string, init: SessionInit): SessionState {
    if (init.length !== undefined && (!Number.isSafeInteger(init.length) || init.length < 0)) {
      throw new StorageError('conflict', `a session's length must be a whole number of bytes, not ${init.length}`);
    }
    if (init.length !== undefined && init.length > init.maxBytes) {
      throw new StorageError('too_large', `the upload is ${init.length} bytes, more than the ${init.maxBytes} allowed`, { details: { allowed: init.maxBytes } });
    }
    const length = init.length;
    return {
      id: newId(), user,
      ...(length !== undefined ? { length } : {}),
      meta: init.meta,
      created: new Date().toISOString(),
      expires: init.expiresAt.toISOString(),
      partial: init.partial ?? false,
      held: length ?? 0,
    };
  }

  async create(user: string, init: SessionInit): Promise<Session> {
    const dir = this.userDir(user);
    const state = this.newState(user, init);
    const { id } = state;
    const paths = sessionPaths(dir, id);
    const length = init.length;
    try {
      await this.createPart(dir, paths.part);
      await this.hold(dir, user, init.quota, { bytes: length ?? 0, files: 1 }, true, () => writeAtomically(paths.state, JSON.stringify(state) + '\n', this.modes.file));
    } catch (error) {
      await rm(paths.part, { force: true });
      throw diskFailure(error);
    }
    this.track(`${user}/${id}`, { hash: createHash('sha256'), offset: 0, behind: new FlushBehind(() => datasyncFile(paths.part)) });
    return this.sessionOf(dir, state);
  }

  /**
   * A session whose every byte comes with its creation (tus creation-with-upload), stored as a
   * whole upload is: no lock (no other request knows its id yet), the bytes hashed as they come,
   * flushed, and made the file at once; a small body's state written once, finished. With a
   * quota, or a body over SMALL_BODY_BYTES, the state is written before the bytes too (the room
   * held, the session an ordinary one while they come). A body that stops short
   * leaves an ordinary session at the offset that reached storage, for the client to resume.
   */
  async createWhole(user: string, init: SessionInit & { length: number }, body: Readable, options: FinishOptions = {}): Promise<Session> {
    const dir = this.userDir(user);
    const state = this.newState(user, { ...init, partial: false });
    const { id } = state;
    const paths = sessionPaths(dir, id);
    const writeState = (next: SessionState) => writeAtomically(paths.state, JSON.stringify(next) + '\n', this.modes.file);
    const discard = () => this.removeFiles(dir, user, id);
    let file: DurableFile;
    try {
      file = await DurableFile.createIn(dir, paths.part, this.modes);
    } catch (error) {
      throw diskFailure(error);
    }
    // The state is written before the bytes when a quota must hold their room, and when they may
    // take long (more than a small body): until then the part has no state, and the sweep of
    // stateless session files would remove a part left unwritten for `orphanSeconds`.
    const stateFirst = !noQuota(init.quota) || init.length > SMALL_BODY_BYTES;
    let streamed;
    try {
      if (stateFirst) await this.hold(dir, user, init.quota, { bytes: init.length, files: 1 }, true, () => writeState(state));
      streamed = await streamIntoFile(body, file, init.length);
      if (streamed.fileError !== undefined) throw streamed.fileError;
    } catch (error) {
      file.destroy();
      await discard();
      throw diskFailure(error);
    }
    const { size, sha256 } = streamed;
    if (sha256 === undefined) {
      if (!stateFirst) await writeState(state);
      return this.sessionOf(dir, state);
    }
    await checkBeforeCommit(options.beforeCommit, { size, sha256, meta: state.meta, path: paths.part }, discard);
    let finished: SessionState;
    try {
      const record = await this.publish(dir, paths.part, id, user, state.meta, size, sha256);
      finished = { ...state, held: 0, file: record };
      await writeState(finished);
    } catch (error) {
      throw diskFailure(error);
    }
    return this.sessionOf(dir, finished);
  }

  /** The session's empty part file; the user's directory is made only when that finds it missing (a new user). */
  private async createPart(dir: string, part: string): Promise<void> {
    try {
      writeFileSync(part, '', { flag: 'wx', mode: this.modes.file });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      await mkdir(dir, { recursive: true, mode: this.modes.dir });
      writeFileSync(part, '', { flag: 'wx', mode: this.modes.file });
    }
  }

  async get(user: string, id: string): Promise<Session | undefined> {
    const dir = this.userDir(user);
    const state = await this.readState(dir, id);
    return state && state.user === user ? this.sessionOf(dir, state) : undefined;
  }

  /** Reads a session that must be there, and usable unless `finished` is allowed. */
  private async mustRead(dir: string, user: string, id: string, now = Date.now()): Promise<SessionState> {
    const state = await this.readState(dir, id);
    if (!state || state.user !== user) throw new StorageError('not_found', 'no such upload session');
    if (!state.file && Date.parse(state.expires) <= now) throw new StorageError('expired', `the upload session expired at ${state.expires}`);
    return state;
  }

  /** Runs `work` holding the session's writer lock; 'locked' when another writer has it. */
  private async locked<T>(dir: string, id: string, discard: boolean, work: (lock: SessionLock) => Promise<T>): Promise<T> {
    const paths = sessionPaths(dir, id);
    const lock = await SessionLock.take(paths, this.lockTtlMs,
      async () => ({ start: await sizeOf(paths.part), discard }),
      async (stale) => {
        // A writer died in a checksummed chunk: its bytes go, as its chunk would have.
        if (stale?.discard && (await sizeOf(paths.part)) > stale.start) await truncate(paths.part, stale.start);
      });
    if (!lock) throw new StorageError('locked', 'another request is writing to this upload session; try again shortly');
    try {
      return await work(lock);
    } finally {
      await lock.release();
    }
  }

  async setLength(user: string, id: string, length: number, options: { quota: Quota; maxBytes: number }): Promise<Session> {
    const dir = this.userDir(user);
    await this.mustRead(dir, user, id);
    return this.locked(dir, id, false, async () => {
      const state = await this.mustRead(dir, user, id);
      const offset = await this.offsetOf(dir, id, state);
      if (state.length !== undefined) throw new StorageError('conflict', 'the upload length is already set');
      if (!Number.isSafeInteger(length) || length < offset) throw new StorageError('conflict', `the upload length ${length} is below the ${offset} bytes already received`);
      if (length > options.maxBytes) throw new StorageError('too_large', `the upload is ${length} bytes, more than the ${options.maxBytes} allowed`, { details: { allowed: options.maxBytes } });
      const next: SessionState = { ...state, length, held: length };
      await this.hold(dir, user, options.quota, { bytes: length - state.held, files: 0 }, true,
        () => writeAtomically(sessionPaths(dir, id).state, JSON.stringify(next) + '\n', this.modes.file));
      return this.sessionOf(dir, next);
    });
  }

  async append(user: string, id: string, offset: number, body: Readable, options: AppendOptions): Promise<Session> {
    const dir = this.userDir(user);
    const first = await this.mustRead(dir, user, id);
    if (first.file) throw new StorageError('conflict', 'the upload is already complete');
    const paths = sessionPaths(dir, id);
    return this.locked(dir, id, options.checksum !== undefined, async (lock) => {
      let state = await this.mustRead(dir, user, id);
      const start = lock.holder.start;
      if (offset !== start) throw new StorageError('conflict', `the upload is at offset ${start}, not ${offset}`, { details: { offset: start } });
      // How far this append may go: the declared length, else the limit and what the quota has left.
      let end: number;
      let endKind = 'too_large' as 'too_large' | 'quota';
      if (state.length !== undefined) {
        end = state.length;
      } else {
        const wanted = Math.max(0, options.maxBytes - start);
        end = await this.hold(dir, user, options.quota, { bytes: Math.max(0, start + wanted - state.held), files: 0 }, false, async (granted) => {
          const reach = state.held + granted;
          if (reach < options.maxBytes) endKind = 'quota';
          state = { ...state, held: Math.max(reach, start) };
          await writeAtomically(paths.state, JSON.stringify(state) + '\n', this.modes.file);
          return Math.min(options.maxBytes, Math.max(reach, start));
        });
      }
      const key = `${user}/${id}`;
      const running = this.running.get(key);
      const tracked = running && running.offset === start ? running : undefined;
      if (!tracked) this.running.delete(key);
      const before = tracked && options.checksum ? tracked.hash.copy() : undefined;
      const chunkHash = options.checksum ? createHash(options.checksum.algorithm) : undefined;

      // Bytes taken from the body (and hashed); `written` is what reached the file.
      let received = 0;
      let written = 0;
      let failure: unknown;
      let handle: FileHandle | undefined;
      let writer: BatchedWriter | undefined;
      try {
        handle = await open(paths.part, 'r+');
        writer = new BatchedWriter(handle, start, tracked?.behind);
        for await (const chunk of body as AsyncIterable<Buffer>) {
          if (lock.lost) throw new StorageError('locked', 'another request took this upload session over');
          const room = end - (start + received);
          const piece = chunk.length > room ? chunk.subarray(0, room) : chunk;
          await writer.push(piece);
          received += piece.length;
          tracked?.hash.update(piece);
          chunkHash?.update(piece);
          if (piece.length < chunk.length) {
            throw endKind === 'quota'
              ? new QuotaExceededError(`quota exceeded: ${user}'s quota of ${options.quota.bytes} bytes leaves this upload ${end} bytes`, options.quota.bytes, options.quota.bytes, 'bytes')
              : new StorageError('too_large', `the upload may hold ${end} bytes; this chunk goes past that`, { details: { allowed: end } });
          }
        }
        await writer.flush();
        if (options.checksum && !chunkHash!.digest().equals(options.checksum.digest)) {
          throw new StorageError('checksum_mismatch', `the chunk's ${options.checksum.algorithm} checksum does not match: it was discarded`);
        }
      } catch (error) {
        failure = error;
      }
      if (writer) {
        await writer.settle();
        written = writer.written;
      }
      // No fdatasync here: the offset is the part file's size, so it never claims more than the file
      // holds, and the whole part is flushed once, before it becomes a file (complete).
      try {
        if (handle && failure && options.checksum) {
          await handle.truncate(start);
          written = 0;
        }
      } finally {
        await handle?.close();
      }
      if (tracked) {
        if (failure && options.checksum) this.track(key, { hash: before!, offset: start, behind: tracked.behind });
        else if (written === received) tracked.offset = start + written;
        // Hashed bytes that never reached the file: the hash is re-read from the file when it finishes.
        else this.running.delete(key);
      }
      if (state.length === undefined && state.held !== start + written) {
        // Deferred length: keep holding what arrived, give back the rest.
        state = { ...state, held: start + written };
        await writeAtomically(paths.state, JSON.stringify(state) + '\n', this.modes.file);
      }
      if (failure) throw diskFailure(failure);
      const appended: Session = { ...(await this.sessionOf(dir, state)), offset: start + written };
      // The last chunk: the file is made under this lock, not under a second one (a lock is a file
      // made and removed, and each removal slows later file creation: docs/performance.md).
      if (options.complete && !state.partial && state.length !== undefined && appended.offset === state.length) {
        return { ...appended, file: await this.completeLocked(dir, user, id, state, options.complete) };
      }
      return appended;
    });
  }

  /** Keeps a running hash; a long-lived process forgets the oldest beyond a bound (those re-read instead). */
  private track(key: string, running: Running): void {
    this.running.delete(key);
    this.running.set(key, running);
    if (this.running.size > MAX_RUNNING) this.running.delete(this.running.keys().next().value!);
  }

  private async sha256Of(key: string, path: string, size: number): Promise<string> {
    const running = this.running.get(key);
    this.running.delete(key);
    if (running && running.offset === size) return running.hash.digest('hex');
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
    return hash.digest('hex');
  }

  /** Renames finished bytes into place as `id` with its record, as a whole upload's commit does. */
  private async publish(dir: string, part: string, id: string, user: string, meta: SessionMeta, size: number, sha256: string): Promise<FileRecord> {
    const record: FileRecord = {
      id, user, name: meta.name, type: meta.type, size, sha256,
      uploaded: new Date().toISOString(),
      ...(meta.downloadTokenHash ? { downloadTokenHash: meta.downloadTokenHash } : {}),
    };
    const paths = sessionPaths(dir, id);
    await writeRecordDurably(paths.record, JSON.stringify(record) + '\n', this.modes.file);
    renameSync(part, paths.file);
    await this.directorySync.sync(dir);
    return record;
  }

  async complete(user: string, id: string, options: FinishOptions = {}): Promise<FileRecord> {
    const dir = this.userDir(user);
    const first = await this.mustRead(dir, user, id);
    if (first.file) return first.file;
    return this.locked(dir, id, false, async () => {
      const state = await this.mustRead(dir, user, id);
      if (state.file) return state.file;
      return this.completeLocked(dir, user, id, state, options);
    });
  }

  /** Makes a session that holds every byte a file; the caller holds its lock. */
  private async completeLocked(dir: string, user: string, id: string, state: SessionState, options: FinishOptions): Promise<FileRecord> {
    const paths = sessionPaths(dir, id);
    // The lock is the caller's (an append's, whose checksummed chunk is verified by now): the part holds what it holds.
    const offset = await sizeOf(paths.part);
    if (state.partial) throw new StorageError('conflict', 'a partial upload becomes a file only by concatenation');
    if (state.length === undefined || offset !== state.length) {
      throw new StorageError('conflict', `the upload has ${offset} of ${state.length ?? 'an undeclared number of'} bytes`);
    }
    let sha256: string;
    // The flush behind this process's PATCHes (sha256Of forgets the session's running state).
    const behind = this.running.get(`${user}/${id}`)?.behind;
    try {
      sha256 = await this.sha256Of(`${user}/${id}`, paths.part, offset);
    } catch (error) {
      throw diskFailure(error);
    }
    await checkBeforeCommit(options.beforeCommit, { size: offset, sha256, meta: state.meta, path: paths.part },
      () => this.removeFiles(dir, user, id, { keepLock: true }));
    let record: FileRecord;
    try {
      await behind?.settle();
      if (behind?.error) throw behind.error;
      await datasyncFile(paths.part);
      record = await this.publish(dir, paths.part, id, user, state.meta, offset, sha256);
    } catch (error) {
      throw diskFailure(error);
    }
    // Kept (holding nothing) until it expires: a client whose last answer was lost still learns it is done.
    await writeAtomically(paths.state, JSON.stringify({ ...state, held: 0, file: record }) + '\n', this.modes.file);
    return record;
  }

  async concatenate(user: string, partialIds: readonly string[], meta: SessionMeta, _quota: Quota, options: FinishOptions = {}): Promise<FileRecord> {
    const dir = this.userDir(user);
    if (partialIds.length === 0) throw new StorageError('conflict', 'nothing to concatenate');
    if (new Set(partialIds).size !== partialIds.length) throw new StorageError('conflict', 'a partial upload is named twice');
    const states: SessionState[] = [];
    for (const id of partialIds) {
      const state = await this.mustRead(dir, user, id);
      if (!state.partial || state.file) throw new StorageError('conflict', `upload ${id} is not an unfinished partial upload`);
      states.push(state);
    }
    // Every partial's lock, taken in one order (the ids sorted) so two concatenations cannot each wait on the other.
    const order = [...partialIds].sort();
    const run = async (i: number): Promise<FileRecord> => {
      if (i < order.length) return this.locked(dir, order[i]!, false, () => run(i + 1));
      return this.concatenateLocked(dir, user, partialIds, meta, options);
    };
    return run(0);
  }

  private async concatenateLocked(dir: string, user: string, partialIds: readonly string[], meta: SessionMeta, options: FinishOptions): Promise<FileRecord> {
    for (const id of partialIds) {
      const state = await this.mustRead(dir, user, id);
      const offset = await this.offsetOf(dir, id, state);
      if (state.length === undefined || offset !== state.length) throw new StorageError('conflict', `partial upload ${id} is not finished (${offset} of ${state.length ?? '?'} bytes)`);
    }
    const id = newId();
    // Named like a whole upload in flight (.upload-<id>.part): a crash leaves it to FsStore's sweep.
    const temp = join(dir, `.upload-${id}.part`);
    const hash = createHash('sha256');
    let size = 0;
    let record: FileRecord;
    try {
      const out = await open(temp, 'wx', this.modes.file);
      try {
        for (const partialId of partialIds) {
          for await (const chunk of createReadStream(sessionPaths(dir, partialId).part)) {
            const buffer = chunk as Buffer;
            hash.update(buffer);
            let done = 0;
            while (done < buffer.length) done += (await out.write(buffer, done, buffer.length - done, size + done)).bytesWritten;
            size += buffer.length;
          }
        }
        await out.datasync();
      } finally {
        await out.close();
      }
    } catch (error) {
      await rm(temp, { force: true });
      throw diskFailure(error);
    }
    const sha256 = hash.digest('hex');
    await checkBeforeCommit(options.beforeCommit, { size, sha256, meta, path: temp }, async () => {
      await rm(temp, { force: true });
      for (const partialId of partialIds) await this.removeFiles(dir, user, partialId, { keepLock: true });
    });
    try {
      record = await this.publish(dir, temp, id, user, meta, size, sha256);
    } catch (error) {
      await rm(temp, { force: true });
      throw diskFailure(error);
    }
    for (const partialId of partialIds) await this.removeFiles(dir, user, partialId, { keepLock: true });
    return record;
  }

  private async removeFiles(dir: string, user: string, id: string, options: { keepLock?: boolean } = {}): Promise<void> {
    const paths = sessionPaths(dir, id);
    this.running.delete(`${user}/${id}`);
    // The state first: a crash part-way leaves orphan files, which the sweep removes, never a session without bytes.
    await rm(paths.state, { force: true });
    await rm(paths.part, { force: true });
    if (!options.keepLock) await rm(paths.lock, { force: true });
  }

  async abort(user: string, id: string): Promise<boolean> {
    const dir = this.userDir(user);
    const state = await this.readState(dir, id);
    if (!state || state.user !== user) return false;
    return this.locked(dir, id, false, async () => {
      if (!(await this.readState(dir, id))) return false;
      await this.removeFiles(dir, user, id, { keepLock: true });
      return true;
    });
  }

  async sweep(now = new Date()): Promise<number> {
    let users: string[];
    try {
      users = (await readdir(this.root)).filter((name) => !name.startsWith('.'));
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
      const ids = new Set(names.map(sessionIdOf).filter((id): id is string => id !== undefined));
      for (const id of ids) {
        try {
          removed += await this.sweepOne(dir, id, now);
        } catch {
          // Raced with a writer or another sweeper: the next sweep looks again.
        }
      }
    }
    return removed;
  }

  private async sweepOne(dir: string, id: string, now: Date): Promise<number> {
    const paths = sessionPaths(dir, id);
    const state = await this.readState(dir, id);
    if (!state) {
      // Files of a session whose state is gone (a crash while creating or removing it).
      const lock = await lockStale(paths.lock, this.lockTtlMs);
      if (lock && !lock.stale) return 0;
      const times = await Promise.all([paths.part, paths.lock].map((p) => stat(p).then((s) => s.mtimeMs, () => 0)));
      if (Math.max(...times) > now.getTime() - this.orphanSeconds * 1000) return 0;
      await rm(paths.part, { force: true });
      await rm(paths.lock, { force: true });
      return 1;
    }
    if (Date.parse(state.expires) > now.getTime()) return 0;
    const taken = await SessionLock.take(paths, this.lockTtlMs, async () => ({ start: 0, discard: false }), async () => undefined);
    if (!taken) return 0;
    try {
      await this.removeFiles(dir, state.user, id, { keepLock: true });
    } finally {
      await taken.release();
    }
    return 1;
  }
}
