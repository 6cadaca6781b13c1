import { randomBytes } from 'node:crypto';
import { closeSync, fstatSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { open, stat, unlink, utimes } from 'node:fs/promises';
import { thisHost } from '../this-host.js';
import { ownerGone } from '../fs-lease.js';

/** What a session lock file says about its holder. */
export interface LockHolder {
  pid: number;
  host: string;
  /** Tells this holder's lock from a later one at the same path. */
  token: string;
  /** The session's offset when the holder took it. */
  start: number;
  /** The holder writes a checksummed chunk: if it dies, its bytes past `start` are discarded. */
  discard: boolean;
}

/** unlink(2), synchronously, ignoring any error (fs-store's `removeIfThere` ignores only ENOENT). */
function unlinkIgnoringErrors(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Gone already, or taken over: nothing of this holder's is left to remove.
  }
}

export async function readHolder(path: string): Promise<LockHolder | undefined> {
  try {
    const value = JSON.parse(readFileSync(path, 'utf8')) as LockHolder;
    return typeof value.pid === 'number' && typeof value.start === 'number' ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether the lock at `path` may be taken over: its holder is a process on this host that is
 * gone (at once), or it was not renewed for `ttlMs` (a holder elsewhere, or frozen). A lock
 * just created, still without its holder written, counts as held.
 */
export async function lockStale(path: string, ttlMs: number, now = Date.now()): Promise<{ stale: boolean; holder?: LockHolder } | undefined> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const holder = await readHolder(path);
  const stale = (holder !== undefined && ownerGone(holder)) || now - info.mtimeMs > ttlMs;
  return { stale, ...(holder ? { holder } : {}) };
}

/**
 * One session's writer lock: a file made with O_EXCL that names its holder (pid, host) and is
 * renewed (its mtime) while the holder works. Works across processes; a dead holder on this host
 * frees it at once, any other after `ttlMs` without renewal.
 */
export class SessionLock {
  private renewer: NodeJS.Timeout | undefined;
  private ino = 0;
  /** Set when another process took the lock over (this holder stalled past the TTL). */
  lost = false;

  private constructor(
    readonly path: string,
    readonly holder: LockHolder,
  ) {}

  /**
   * Takes the lock; undefined when a live holder has it. `recover` runs when a stale holder's
   * lock is taken over (before this lock is made), with that holder, to undo what it left.
   */
  static async take(
    paths: { lock: string; takeover: string },
    ttlMs: number,
    holding: () => Promise<Omit<LockHolder, 'pid' | 'host' | 'token'>>,
    recover: (stale: LockHolder | undefined) => Promise<void>,
  ): Promise<SessionLock | undefined> {
    // Synchronous calls on a small file, as fs-store's lease (docs/performance.md, figure 3).
    for (let attempt = 0; attempt < 3; attempt++) {
      let fd: number;
      try {
        fd = openSync(paths.lock, 'wx', 0o600);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        if (!(await SessionLock.takeOver(paths, ttlMs, recover))) return undefined;
        continue;
      }
      try {
        const holder: LockHolder = { pid: process.pid, host: thisHost(), token: randomBytes(8).toString('hex'), ...(await holding()) };
        writeSync(fd, JSON.stringify(holder));
        const lock = new SessionLock(paths.lock, holder);
        lock.ino = fstatSync(fd).ino;
        lock.renewEvery(ttlMs / 3);
        return lock;
      } catch (error) {
        unlinkIgnoringErrors(paths.lock);
        throw error;
      } finally {
        closeSync(fd);
      }
    }
    return undefined;
  }

  /** Removes a stale lock, once, under the takeover guard; false when the lock is live. */
  private static async takeOver(paths: { lock: string; takeover: string }, ttlMs: number, recover: (stale: LockHolder | undefined) => Promise<void>): Promise<boolean> {
    const state = await lockStale(paths.lock, ttlMs);
    if (!state) return true;
    if (!state.stale) return false;
    let guard;
    try {
      guard = await open(paths.takeover, 'wx', 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // Another taker is at it; a guard left by one that died is itself stale after the TTL.
      const guardState = await lockStale(paths.takeover, ttlMs);
      if (guardState?.stale) await unlink(paths.takeover).catch(() => undefined);
      return false;
    }
    try {
      await guard.close();
      // Under the guard: look again (the lock may have been replaced by a live one meanwhile).
      const again = await lockStale(paths.lock, ttlMs);
      if (!again) return true;
      if (!again.stale) return false;
      await recover(again.holder);
      await unlink(paths.lock).catch(() => undefined);
      return true;
    } finally {
      await unlink(paths.takeover).catch(() => undefined);
    }
  }

  private renewEvery(ms: number): void {
    this.renewer = setInterval(() => void this.renew(), Math.max(10, ms));
    this.renewer.unref();
  }

  /** Renews the lock; notes when it is no longer this holder's. */
  async renew(): Promise<void> {
    try {
      const info = await stat(this.path);
      if (info.ino !== this.ino) {
        this.lost = true;
        return;
      }
      const now = new Date();
      await utimes(this.path, now, now);
    } catch {
      this.lost = true;
    }
  }

  /** Gives the lock up, unless another process took it over meanwhile. */
  async release(): Promise<void> {
    clearInterval(this.renewer);
    const holder = await readHolder(this.path);
    if (holder?.token === this.holder.token) unlinkIgnoringErrors(this.path);
  }
}
