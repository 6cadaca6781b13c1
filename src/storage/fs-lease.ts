import { thisHost } from './this-host.js';
import { open, readdir, readFile, rm, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { documentsUsage } from './disk/documents-layout.js';
import { isSessionState, sessionHold } from './disk/session-files.js';
import { FILE_ID } from './store.js';

/**
 * Uploads in flight, on disk, so every process (a server, many CGI scripts) sees them:
 * `.upload-<id>.lease` names the owning process and the bytes it holds against the quota;
 * `.upload-<id>.part` is the file being written. `.quota.lock` serialises reservations.
 */
export const TEMP_PREFIX = '.upload-';
export const TEMP_SUFFIX = '.part';
export const LEASE_SUFFIX = '.lease';
const LOCK_NAME = '.quota.lock';
const LOCK_STALE_MS = 30_000;
const LOCK_WAIT_MS = 15_000;

export interface Lease {
  pid: number;
  host: string;
  bytes: number;
}

export const leaseName = (id: string) => `${TEMP_PREFIX}${id}${LEASE_SUFFIX}`;
export const uploadIdOf = (name: string) => (name.startsWith(TEMP_PREFIX) ? name.slice(TEMP_PREFIX.length, TEMP_PREFIX.length + 32) : undefined);

export function ownLease(bytes: number): Lease {
  return { pid: process.pid, host: thisHost(), bytes };
}

/** A process on this host that is gone can own nothing; on another host we cannot tell. */
export function ownerGone(owner: Pick<Lease, 'pid' | 'host'>): boolean {
  if (owner.host !== thisHost() || !Number.isInteger(owner.pid) || owner.pid <= 0) return false;
  if (owner.pid === process.pid) return false;
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * A lease, or, for a lease an upload is turning into its metadata (fs-store's commit), the
 * bytes its record says, owned by nobody this process could find gone.
 */
export async function readLease(path: string): Promise<Lease | undefined> {
  try {
    const value = JSON.parse(await readFile(path, 'utf8')) as Partial<Lease> & { size?: unknown };
    if (typeof value.pid === 'number' && typeof value.bytes === 'number') return value as Lease;
    return typeof value.size === 'number' ? { pid: 0, host: '', bytes: value.size } : undefined;
  } catch {
    return undefined;
  }
}

/** `.<id>.json`, the metadata of stored file `<id>`: the name a lease is renamed to when its upload completes. */
const METADATA = /^\.([0-9a-f]{32})\.json$/;

/** The file id whose metadata `name` is (`.<id>.json`), or undefined for other names. */
export const metadataIdOf = (name: string): string | undefined => METADATA.exec(name)?.[1];

/** The bytes of an upload between its lease's renaming into metadata and its file's renaming into place. */
async function committing(dir: string, name: string, present: ReadonlySet<string>): Promise<number | undefined> {
  const id = metadataIdOf(name);
  if (id === undefined || present.has(id) || !present.has(`${TEMP_PREFIX}${id}${TEMP_SUFFIX}`)) return undefined;
  return (await readLease(join(dir, name)))?.bytes;
}

/** Removes every file of one upload in flight. */
export async function removeUpload(dir: string, id: string, names?: readonly string[]): Promise<number> {
  const all = names ?? (await readdir(dir).catch(() => [] as string[]));
  const mine = all.filter((name) => uploadIdOf(name) === id);
  await Promise.all(mine.map((name) => rm(join(dir, name), { force: true })));
  return mine.length;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `fn` holding the user directory's lock file (O_EXCL), taking over locks of dead holders. */
export async function withUserLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const path = join(dir, LOCK_NAME);
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      const handle = await open(path, 'wx', 0o600);
      await handle.writeFile(JSON.stringify(ownLease(0)));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (await lockAbandoned(path)) {
      await unlink(path).catch(() => undefined);
      continue;
    }
    if (Date.now() > deadline) throw new Error(`the quota lock ${path} stayed taken for ${LOCK_WAIT_MS / 1000} s`);
    await sleep(2 + Math.random() * 10);
  }
  try {
    return await fn();
  } finally {
    await unlink(path).catch(() => undefined);
  }
}

export async function lockAbandoned(path: string): Promise<boolean> {
  try {
    const [holder, info] = await Promise.all([readLease(path), stat(path)]);
    return (holder !== undefined && ownerGone(holder)) || Date.now() - info.mtimeMs > LOCK_STALE_MS;
  } catch {
    return false;
  }
}

export interface Usage {
  bytes: number;
  files: number;
}

/** What a user's directory holds: stored files, plus the room uploads in flight and unfinished resumable sessions hold. Leases of dead processes are swept. */
export async function usageOf(dir: string): Promise<Usage> {
  const names = await readdir(dir);
  const present = new Set(names);
  const usage: Usage = { bytes: 0, files: 0 };
  for (const name of names) {
    const finishing = await committing(dir, name, present);
    if (finishing !== undefined) {
      usage.bytes += finishing;
      usage.files++;
      continue;
    }
    if (FILE_ID.test(name)) {
      const info = await stat(join(dir, name)).catch(() => undefined);
      if (info) {
        usage.bytes += info.size;
        usage.files++;
      }
    } else if (name.endsWith(LEASE_SUFFIX) && name.startsWith(TEMP_PREFIX)) {
      const lease = await readLease(join(dir, name));
      if (lease && ownerGone(lease)) {
        await removeUpload(dir, uploadIdOf(name)!, names);
        continue;
      }
      usage.bytes += lease?.bytes ?? 0;
      usage.files++;
    } else if (isSessionState(name)) {
      const hold = await sessionHold(join(dir, name), ownerGone);
      if (hold) {
        usage.bytes += hold.bytes;
        usage.files++;
      }
    }
  }
  // Keyed documents and their old versions (STORAGE_DIR/.documents/<user>/) share the byte quota.
  usage.bytes += await documentsUsage(dirname(dir), basename(dir));
  return usage;
}
