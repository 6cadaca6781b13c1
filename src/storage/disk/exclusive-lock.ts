import { randomBytes } from 'node:crypto';
import { thisHost } from '../this-host.js';
import { open, readFile, stat, unlink } from 'node:fs/promises';
import { StorageError } from '../errors.js';

/**
 * A lock that works across processes (a server and many CGI scripts) on one host: a file made
 * with O_EXCL naming its holder (pid, host, a random nonce). A lock whose holder is gone (a pid
 * on this host that no longer runs) or that is older than `staleMs` is taken over; taking over
 * happens under a second O_EXCL file (`<lock>.break`) and only after re-reading the lock, so two
 * waiters never both break it and a fresh lock is never removed in place of the stale one.
 */
export interface LockOptions {
  /** A lock older than this is abandoned (its holder hung or died on another host). */
  staleMs?: number;
  /** How long to wait for the lock before giving up ('unavailable'). */
  waitMs?: number;
}

interface Holder {
  pid: number;
  host: string;
  nonce: string;
}

const DEFAULT_STALE_MS = 30_000;
const DEFAULT_WAIT_MS = 30_000;
const BREAK_STALE_MS = 10_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Holders in this process queue here, so that only one of them at a time waits on the file. */
const queues = new Map<string, Promise<unknown>>();

export function withExclusiveLock<T>(path: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const previous = queues.get(path) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(() => withFileLock(path, fn, options));
  const settled = run.catch(() => undefined);
  queues.set(path, settled);
  void settled.then(() => {
    if (queues.get(path) === settled) queues.delete(path);
  });
  return run;
}

async function withFileLock<T>(path: string, fn: () => Promise<T>, options: LockOptions): Promise<T> {
  const nonce = await acquire(path, options.staleMs ?? DEFAULT_STALE_MS, options.waitMs ?? DEFAULT_WAIT_MS);
  try {
    return await fn();
  } finally {
    await release(path, nonce);
  }
}

async function tryCreate(path: string): Promise<string | undefined> {
  const holder: Holder = { pid: process.pid, host: thisHost(), nonce: randomBytes(12).toString('hex') };
  let handle;
  try {
    handle = await open(path, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
    throw error;
  }
  try {
    await handle.writeFile(JSON.stringify(holder));
  } finally {
    await handle.close();
  }
  return holder.nonce;
}

async function acquire(path: string, staleMs: number, waitMs: number): Promise<string> {
  const deadline = Date.now() + waitMs;
  for (let attempt = 0; ; attempt++) {
    const nonce = await tryCreate(path);
    if (nonce) return nonce;
    const stale = await staleHolder(path, staleMs);
    if (stale !== undefined) {
      await breakLock(path, stale, staleMs);
      continue;
    }
    if (Date.now() > deadline) {
      throw new StorageError('unavailable', `the lock ${path} stayed taken for ${Math.round(waitMs / 1000)} s`);
    }
    await sleep(1 + Math.random() * Math.min(10, 2 + attempt));
  }
}

/** The nonce of an abandoned lock, or undefined when the lock is held (or gone). Empty string: unreadable but old. */
async function staleHolder(path: string, staleMs: number): Promise<string | undefined> {
  let text: string;
  let age: number;
  try {
    const [content, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    text = content;
    age = Date.now() - info.mtimeMs;
  } catch {
    return undefined;
  }
  let holder: Partial<Holder> = {};
  try {
    holder = JSON.parse(text) as Partial<Holder>;
  } catch {
    // Being written this very moment (or torn by a crash): judged by its age alone.
  }
  if (age > staleMs) return holder.nonce ?? '';
  if (holder.nonce && holder.host === thisHost() && typeof holder.pid === 'number' && holderGone(holder.pid)) return holder.nonce;
  return undefined;
}

export function holderGone(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

async function breakLock(path: string, staleNonce: string, staleMs: number): Promise<void> {
  const guard = `${path}.break`;
  const guardNonce = await tryCreate(guard);
  if (!guardNonce) {
    // Someone else is breaking it; a breaker that died leaves its guard, which goes once old.
    if ((await staleHolder(guard, BREAK_STALE_MS)) !== undefined) await unlink(guard).catch(() => undefined);
    await sleep(2);
    return;
  }
  try {
    const still = await staleHolder(path, staleMs);
    if (still !== undefined && still === staleNonce) await unlink(path).catch(() => undefined);
  } finally {
    await release(guard, guardNonce);
  }
}

/** Removes the lock only while it is still ours (a lock taken over from us is left to its new holder). */
async function release(path: string, nonce: string): Promise<void> {
  try {
    const holder = JSON.parse(await readFile(path, 'utf8')) as Partial<Holder>;
    if (holder.nonce !== nonce) return;
  } catch {
    return;
  }
  await unlink(path).catch(() => undefined);
}
