import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { lstat, mkdir, open, readdir, readFile, rename, rm, rmdir, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { documentPathProblem, pathSegments } from '../document-path.js';
import type {
  DocumentInfo, Documents, DocumentVersion, Folder, FolderItem, Precondition, PutOptions, Retention,
} from '../documents.js';
import { StorageError } from '../errors.js';
import { READ_CHUNK_BYTES } from '../read-chunk.js';
import { QuotaExceededError, type ByteRange, type Quota, type Reservation } from '../store.js';
import { readJson, replaceFilesAtomic, TEMP_FILE_PREFIX, writeFileAtomic } from './atomic-file.js';
import {
  blobFile, documentsArea, folderDirectory, historyFile, type DocumentsArea, type StoredDocument, type StoredHistory,
} from './documents-layout.js';
import { withExclusiveLock, type LockOptions } from './exclusive-lock.js';
import { fileNameFor, nameOfFile } from './file-names.js';

export interface DiskDocumentsOptions {
  /**
   * Holds room against the user's quota while a body streams in. The disk backend passes its
   * files' reserve (with `files: 0`) so that files and documents share one quota under one lock;
   * without it, documents are held to the quota on their own.
   */
  reserve?: (user: string, bytes: number, quota: Quota, exact: boolean) => Promise<Reservation>;
  lock?: LockOptions;
}

interface Intent {
  path: string;
  version: string;
}

const DAY_MS = 86_400_000;
const ETAG_FILE = '.etag';

const newVersionId = () => `${Date.now().toString(36).padStart(9, '0')}${randomBytes(10).toString('hex')}`;
const newFolderEtag = () => randomBytes(16).toString('hex');

function refuseInvalid(path: string, kind: 'document' | 'folder'): void {
  const problem = documentPathProblem(path, kind);
  if (problem) throw new StorageError('conflict', `the path ${JSON.stringify(path.slice(0, 200))} ${problem}`, { details: { reason: 'invalid_path' } });
}

/** What `precondition` says about a document whose ETag is `current` (undefined: none). */
export function preconditionHolds(precondition: Precondition | undefined, current: string | undefined): boolean {
  if (!precondition) return true;
  const { ifMatch, ifNoneMatch } = precondition;
  if (ifMatch !== undefined) {
    if (current === undefined) return false;
    if (!ifMatch.includes('*') && !ifMatch.includes(current)) return false;
  }
  if (ifNoneMatch !== undefined) {
    if (ifNoneMatch === '*' || ifNoneMatch.includes('*')) return current === undefined;
    if (current !== undefined && ifNoneMatch.includes(current)) return false;
  }
  return true;
}

const infoOf = (stored: StoredDocument): DocumentInfo => ({
  path: stored.path, etag: stored.etag, contentType: stored.contentType, size: stored.size, modified: stored.modified,
});

function missingIsUndefined(error: unknown): undefined {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
  throw error;
}

/**
 * Keyed documents on disk (layout in documents-layout.ts). Every write of one user holds that
 * user's lock while it decides the precondition and changes the tree, history, folder ETags and
 * usage; bodies stream to a temporary file first, outside the lock, so a slow client holds no
 * one up. Readers take no lock: every file is replaced by rename, and bytes are never changed.
 */
export class DiskDocuments implements Documents {
  constructor(readonly storageDir: string, private readonly options: DiskDocumentsOptions = {}) {}

  private area(user: string): DocumentsArea {
    return documentsArea(this.storageDir, user);
  }

  private documentFile(area: DocumentsArea, path: string): string {
    const segments = pathSegments(path);
    return join(folderDirectory(area, segments.slice(0, -1)), fileNameFor(segments.at(-1)!));
  }

  private async current(area: DocumentsArea, path: string): Promise<StoredDocument | undefined> {
    const stored = await readJson<StoredDocument>(this.documentFile(area, path));
    return stored?.path === path ? stored : undefined;
  }

  async stat(user: string, path: string): Promise<DocumentInfo | undefined> {
    if (documentPathProblem(path)) return undefined;
    const stored = await this.current(this.area(user), path);
    return stored && infoOf(stored);
  }

  async get(user: string, path: string, range?: ByteRange): Promise<{ info: DocumentInfo; stream: Readable } | undefined> {
    if (documentPathProblem(path)) return undefined;
    const area = this.area(user);
    const stored = await this.current(area, path);
    if (!stored) return undefined;
    const handle = await open(blobFile(area, stored.version), 'r').catch(missingIsUndefined);
    if (!handle) return undefined;
    return { info: infoOf(stored), stream: handle.createReadStream({ highWaterMark: READ_CHUNK_BYTES, ...(range ? { start: range.start, end: range.end } : {}) }) };
  }

  async put(user: string, path: string, body: Readable, options: PutOptions): Promise<{ info: DocumentInfo; created: boolean }> {
    let area: DocumentsArea;
    try {
      refuseInvalid(path, 'document');
      area = this.area(user);
      // Early, so that a doomed body is not read; decided again under the lock below.
      await this.refuseConflicts(area, path);
      const before = await this.current(area, path);
      if (!preconditionHolds(options.precondition, before?.etag)) {
        throw new StorageError('precondition_failed', `the precondition does not hold for ${path}`, { details: { etag: before?.etag } });
      }
    } catch (error) {
      body.resume();
      throw error;
    }
    const reservation = await this.holdRoom(user, area, options, body);
    const temp = join(area.blobs, `${TEMP_FILE_PREFIX}${randomBytes(8).toString('hex')}`);
    try {
      const size = await this.receive(body, temp, area, options, reservation);
      return await this.withUserLock(area, async () => {
        const before = await this.current(area, path);
        await this.refuseConflicts(area, path);
        if (!preconditionHolds(options.precondition, before?.etag)) {
          throw new StorageError('precondition_failed', `the precondition does not hold for ${path}`, { details: { etag: before?.etag } });
        }
        if (!reservation && options.quota.bytes > 0) {
          const used = await this.usage(area);
          if (used + size > options.quota.bytes) throw quotaError(user, used, size, options.quota.bytes);
        }
        const version = newVersionId();
        const modified = new Date().toISOString();
        const stored: StoredDocument = { path, version, etag: version, contentType: options.contentType, size, modified };
        const entry: DocumentVersion = {
          version, etag: version, size, contentType: options.contentType, time: modified, ...(options.app ? { app: options.app } : {}),
        };
        await this.recordIntent(area, { path, version });
        await rename(temp, blobFile(area, version));
        const file = this.documentFile(area, path);
        await mkdir(dirname(file), { recursive: true, mode: 0o700 });
        await mkdir(area.history, { recursive: true, mode: 0o700 });
        await replaceFilesAtomic([
          await this.historyWith(area, path, entry),
          { path: file, data: JSON.stringify(stored) },
          ...(await this.folderEtags(area, path, true)),
          { path: area.usage, data: JSON.stringify({ bytes: (await this.usage(area)) + size }) },
        ], [area.blobs]);
        await this.clearIntent(area);
        return { info: infoOf(stored), created: before === undefined };
      });
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw asStorageError(error);
    } finally {
      await reservation?.release();
    }
  }

  async remove(user: string, path: string, options: { precondition?: Precondition; app?: string }): Promise<DocumentInfo> {
    refuseInvalid(path, 'document');
    const area = this.area(user);
    return this.withUserLock(area, async () => {
      const before = await this.current(area, path);
      if (!before) throw new StorageError('not_found', `there is no document ${path}`);
      if (!preconditionHolds(options.precondition, before.etag)) {
        throw new StorageError('precondition_failed', `the precondition does not hold for ${path}`, { details: { etag: before.etag } });
      }
      const version = newVersionId();
      await this.recordIntent(area, { path, version });
      await replaceFilesAtomic([await this.historyWith(area, path, {
        version, etag: '', size: 0, contentType: before.contentType, time: new Date().toISOString(), deleted: true,
        ...(options.app ? { app: options.app } : {}),
      })]);
      const file = this.documentFile(area, path);
      await unlink(file);
      await replaceFilesAtomic(await this.folderEtags(area, path), [dirname(file), area.tree]);
      await this.clearIntent(area);
      return infoOf(before);
    });
  }

  async folder(user: string, path: string): Promise<Folder | undefined> {
    if (documentPathProblem(path, 'folder')) return undefined;
    const dir = folderDirectory(this.area(user), pathSegments(path));
    const entries = await readdir(dir, { withFileTypes: true }).catch(missingIsUndefined);
    if (!entries) return undefined;
    const items: FolderItem[] = [];
    for (const entry of entries) {
      const name = nameOfFile(entry.name);
      if (name === undefined) continue;
      if (entry.isDirectory()) {
        const etag = await readEtag(join(dir, entry.name));
        if (etag) items.push({ name: `${name}/`, etag });
      } else {
        const stored = await readJson<StoredDocument>(join(dir, entry.name));
        if (stored) items.push({ name, etag: stored.etag, contentType: stored.contentType, size: stored.size, modified: stored.modified });
      }
    }
    const etag = await readEtag(dir);
    if (items.length === 0 || !etag) return undefined;
    items.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return { etag, items };
  }

  async history(user: string, path: string): Promise<DocumentVersion[]> {
    if (documentPathProblem(path)) return [];
    const stored = await readJson<StoredHistory>(historyFile(this.area(user), path));
    return stored?.path === path ? stored.versions : [];
  }

  async version(user: string, path: string, version: string): Promise<{ version: DocumentVersion; stream: Readable } | undefined> {
    const found = (await this.history(user, path)).find((v) => v.version === version);
    if (!found) return undefined;
    if (found.deleted) return { version: found, stream: Readable.from([]) };
    const handle = await open(blobFile(this.area(user), found.version), 'r').catch(missingIsUndefined);
    return handle && { version: found, stream: handle.createReadStream({ highWaterMark: READ_CHUNK_BYTES }) };
  }

  async prune(user: string, retention: Retention, now = new Date()): Promise<number> {
    const area = this.area(user);
    const names = await readdir(area.history).catch(() => [] as string[]);
    await removeOldTemporaries(area.blobs, now.getTime() - DAY_MS);
    if (retention.keepVersions <= 0 && retention.keepDays <= 0) return 0;
    const cutoff = now.getTime() - retention.keepDays * DAY_MS;
    return this.withUserLock(area, async () => {
      let dropped = 0;
      let freed = 0;
      for (const name of names) {
        const file = join(area.history, name);
        const stored = await readJson<StoredHistory>(file);
        if (!stored) continue;
        // An old version counts its age from when it stopped being current (the next one's time).
        const kept = stored.versions.filter((version, index) => index === 0 || !(
          (retention.keepVersions > 0 && index > retention.keepVersions) ||
          (retention.keepDays > 0 && Date.parse(stored.versions[index - 1]!.time) < cutoff)));
        const gone = stored.versions.filter((version) => !kept.includes(version));
        if (gone.length === 0) continue;
        if (kept.length === 1 && kept[0]!.deleted) await unlink(file);
        else await writeFileAtomic(file, JSON.stringify({ path: stored.path, versions: kept } satisfies StoredHistory));
        for (const version of gone) {
          if (!version.deleted) {
            await unlink(blobFile(area, version.version)).catch(missingIsUndefined);
            freed += version.size;
          }
        }
        dropped += gone.length;
      }
      if (freed > 0) await this.addUsage(area, -freed);
      return dropped;
    });
  }

  /** Every user with documents (or their history), for the sweep that prunes by retention. */
  async *users(): AsyncIterable<string> {
    const entries = await readdir(join(this.storageDir, '.documents'), { withFileTypes: true }).catch(missingIsUndefined);
    for (const entry of entries ?? []) if (entry.isDirectory() && !entry.name.startsWith('.')) yield entry.name;
  }

  /** Holds room for the body through the backend's reserve, when there is one. */
  private async holdRoom(user: string, area: DocumentsArea, options: PutOptions, body: Readable): Promise<Reservation | undefined> {
    if (!this.options.reserve || options.quota.bytes <= 0) return undefined;
    const wanted = options.maxBytes > 0 ? options.maxBytes : Number.MAX_SAFE_INTEGER;
    try {
      return await this.options.reserve(user, wanted, { bytes: options.quota.bytes, files: 0 }, false);
    } catch (error) {
      body.resume();
      throw asStorageError(error);
    }
  }

  /** Streams the body to `temp` (fsynced), refusing it as soon as it passes a limit; returns its size. */
  private async receive(body: Readable, temp: string, area: DocumentsArea, options: PutOptions, reservation: Reservation | undefined): Promise<number> {
    let room = Number.POSITIVE_INFINITY;
    if (reservation) room = reservation.bytes;
    else if (options.quota.bytes > 0) room = options.quota.bytes - (await this.usage(area));
    const maxBytes = options.maxBytes > 0 ? options.maxBytes : Number.POSITIVE_INFINITY;
    let size = 0;
    const limit = async function* (source: AsyncIterable<Buffer>) {
      for await (const chunk of source) {
        size += chunk.length;
        if (size > maxBytes) throw new StorageError('too_large', `the document is larger than the ${maxBytes} bytes allowed`);
        if (size > room) throw new StorageError('quota', `the document does not fit in the quota (${Math.max(0, room)} bytes left)`);
        yield chunk;
      }
    };
    await mkdir(area.blobs, { recursive: true, mode: 0o700 });
    await pipeline(body, limit, createWriteStream(temp, { flags: 'wx', mode: 0o600, flush: true }));
    return size;
  }

  private async withUserLock<T>(area: DocumentsArea, fn: () => Promise<T>): Promise<T> {
    await mkdir(area.base, { recursive: true, mode: 0o700 });
    return withExclusiveLock(area.lock, async () => {
      await this.repair(area);
      return fn();
    }, this.options.lock);
  }

  /** A document and a folder may not share a name along the path: no ancestor may be a document, the path not a folder. */
  private async refuseConflicts(area: DocumentsArea, path: string): Promise<void> {
    const segments = pathSegments(path);
    for (let depth = 1; depth <= segments.length; depth++) {
      const entry = folderDirectory(area, segments.slice(0, depth));
      const info = await lstat(entry).catch(missingIsUndefined);
      if (!info) return;
      const last = depth === segments.length;
      if (last ? info.isDirectory() : !info.isDirectory()) {
        const at = `/${segments.slice(0, depth).join('/')}${last ? '/' : ''}`;
        throw new StorageError('conflict', `${path} cannot be written: ${at} is a ${last ? 'folder' : 'document'}`, { details: { at } });
      }
    }
  }

  /** The history file of `path` with `entry` as its newest version. */
  private async historyWith(area: DocumentsArea, path: string, entry: DocumentVersion): Promise<{ path: string; data: string }> {
    const file = historyFile(area, path);
    const stored = await readJson<StoredHistory>(file);
    const versions = stored?.path === path ? stored.versions : [];
    return { path: file, data: JSON.stringify({ path, versions: [entry, ...versions] } satisfies StoredHistory) };
  }

  /**
   * After a change at `path`: every folder that holds it gets a new ETag, innermost first (so a
   * client that sees the root change finds the change below); folders a DELETE left empty go
   * (`afterPut`: the document is about to be there, every folder keeps it).
   */
  private async folderEtags(area: DocumentsArea, path: string, afterPut = false): Promise<{ path: string; data: string }[]> {
    const segments = pathSegments(path);
    const etags: { path: string; data: string }[] = [];
    for (let depth = segments.length - 1; depth >= 0; depth--) {
      const dir = folderDirectory(area, segments.slice(0, depth));
      if (afterPut) {
        etags.push({ path: join(dir, ETAG_FILE), data: newFolderEtag() });
        continue;
      }
      const names = await readdir(dir).catch(missingIsUndefined);
      if (!names) continue;
      if (!names.some((name) => nameOfFile(name) !== undefined)) {
        await rm(join(dir, ETAG_FILE), { force: true });
        if (depth > 0) await rmdir(dir).catch(() => undefined);
        continue;
      }
      etags.push({ path: join(dir, ETAG_FILE), data: newFolderEtag() });
    }
    return etags;
  }

  private async usage(area: DocumentsArea): Promise<number> {
    return (await readJson<{ bytes: number }>(area.usage))?.bytes ?? 0;
  }

  private async addUsage(area: DocumentsArea, bytes: number): Promise<void> {
    await writeFileAtomic(area.usage, JSON.stringify({ bytes: Math.max(0, (await this.usage(area)) + bytes) }));
  }

  private async recordIntent(area: DocumentsArea, intent: Intent): Promise<void> {
    await writeFileAtomic(area.intent, JSON.stringify(intent));
  }

  private async clearIntent(area: DocumentsArea): Promise<void> {
    await unlink(area.intent);
  }

  /**
   * A write that crashed left its intent: the history is the truth. The tree is made to match
   * it, a blob no version names is removed, the folders along the path get new ETags, and the
   * usage is counted again from every history.
   */
  private async repair(area: DocumentsArea): Promise<void> {
    const intent = await readJson<Intent>(area.intent);
    if (!intent) return;
    const stored = await readJson<StoredHistory>(historyFile(area, intent.path));
    const versions = stored?.path === intent.path ? stored.versions : [];
    if (!versions.some((v) => v.version === intent.version)) await rm(blobFile(area, intent.version), { force: true });
    const file = this.documentFile(area, intent.path);
    const latest = versions[0];
    if (latest && !latest.deleted) {
      const info = await lstat(file).catch(missingIsUndefined);
      if (!info?.isDirectory()) {
        await mkdir(dirname(file), { recursive: true, mode: 0o700 });
        await writeFileAtomic(file, JSON.stringify({
          path: intent.path, version: latest.version, etag: latest.etag, contentType: latest.contentType, size: latest.size, modified: latest.time,
        } satisfies StoredDocument));
      }
    } else {
      await rm(file, { force: true });
    }
    await replaceFilesAtomic([
      ...(await this.folderEtags(area, intent.path)),
      { path: area.usage, data: JSON.stringify({ bytes: await countUsage(area) }) },
    ], [area.blobs]);
    await this.clearIntent(area);
  }
}

async function readEtag(dir: string): Promise<string | undefined> {
  return readFile(join(dir, ETAG_FILE), 'utf8').catch(missingIsUndefined);
}

/** The bytes every kept version holds, counted from the histories. */
async function countUsage(area: DocumentsArea): Promise<number> {
  let bytes = 0;
  for (const name of await readdir(area.history).catch(() => [] as string[])) {
    const stored = await readJson<StoredHistory>(join(area.history, name));
    for (const version of stored?.versions ?? []) if (!version.deleted) bytes += version.size;
  }
  return bytes;
}

/** Bodies that a crashed process was receiving. */
async function removeOldTemporaries(dir: string, before: number): Promise<void> {
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (!name.startsWith(TEMP_FILE_PREFIX)) continue;
    const info = await stat(join(dir, name)).catch(() => undefined);
    if (info && info.mtimeMs < before) await rm(join(dir, name), { force: true });
  }
}

function quotaError(user: string, used: number, size: number, allowed: number): StorageError {
  return new StorageError('quota', `quota exceeded: ${user}'s documents and their versions use ${used} of ${allowed} bytes allowed, and this one needs ${size}`,
    { details: { used, allowed, unit: 'bytes' } });
}

function asStorageError(error: unknown): unknown {
  if (error instanceof QuotaExceededError) {
    return new StorageError('quota', error.message, { cause: error, details: { used: error.used, allowed: error.allowed, unit: error.unit } });
  }
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return new StorageError('full', `the disk is full (${code}): nothing was stored`, { cause: error });
  return error;
}
