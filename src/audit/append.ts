import { randomBytes } from 'node:crypto';
import { closeSync, fstatSync, mkdirSync, openSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { auditPaths, STALE_MS, type AuditEntry } from './entry.js';
import { rotateIfFull } from './rotate.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function pausedByAnonymizer(pause: string): boolean {
  const found = statSync(pause, { throwIfNoEntry: false });
  return found !== undefined && Date.now() - found.mtimeMs < STALE_MS;
}

/** This process's marker file in each `.audit.writers/` it appends to (tests use many storage directories). */
const markers = new Map<string, string>();

function removeMarkersAtExit(): void {
  for (const marker of markers.values()) {
    try {
      unlinkSync(marker);
    } catch {
      // Gone already: removed as stale by an anonymize run.
    }
  }
}

/**
 * Says whether this process is appending: its marker holds "1" during an append and "0"
 * between appends. A process keeps one marker for its life and rewrites it in place: a file made
 * and removed per append costs the file system an inode each time, and freshly freed inodes make
 * every later file creation slower (docs/performance.md, figure 3). The marker is made on first
 * use, made again if an anonymize run removed it as stale, and removed when the process exits.
 */
function announce(dir: string, appending: boolean): void {
  let marker = markers.get(dir);
  if (!marker) {
    if (!appending) return;
    if (markers.size === 0) process.once('exit', removeMarkersAtExit);
    marker = join(dir, `${process.pid}-${randomBytes(6).toString('hex')}`);
    markers.set(dir, marker);
  }
  const flag = appending ? '1' : '0';
  try {
    writeFileSync(marker, flag, { flag: 'r+' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    if (!appending) return;
    // First use, or removed as stale: made again (with its directory, when that is missing too).
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(marker, flag, { flag: 'w', mode: 0o600 });
  }
}

function stopAnnouncing(dir: string): void {
  try {
    announce(dir, false);
  } catch {
    // Left saying "1": an anonymize run ignores a marker untouched for STALE_MS.
  }
}

/**
 * Appends entries, one line each. The lines go out in ONE write(2) on an O_APPEND descriptor:
 * the kernel moves to the end and writes under the inode lock, so lines from concurrent
 * processes never interleave, whatever their length.
 *
 * The marker and the pause check are the appender's half of the anonymizer's handshake (see
 * anonymize.ts): an append first announces itself (its marker says "1"), then checks for a pause;
 * the anonymizer first sets the pause, then waits until no fresh marker says anything but "0".
 * Whichever comes second sees the other, so no line is written into a log that is being swapped out.
 *
 * The calls are synchronous: each takes microseconds on a local disk, less than a round trip
 * through libuv's thread pool costs (docs/performance.md, figure 3).
 */
export async function appendEntries(storageDir: string, entries: readonly AuditEntry[], options: { maxBytes?: number } = {}): Promise<void> {
  const paths = auditPaths(storageDir);
  const lines = Buffer.from(entries.map((entry) => JSON.stringify(entry) + '\n').join(''));
  announce(paths.writers, true);
  let full = false;
  try {
    const giveUp = Date.now() + STALE_MS;
    while (pausedByAnonymizer(paths.pause) && Date.now() < giveUp) {
      announce(paths.writers, false);
      await sleep(10 + Math.random() * 20);
      announce(paths.writers, true);
    }
    const fd = openSync(paths.log, 'a', 0o600);
    try {
      const bytesWritten = writeSync(fd, lines, 0, lines.length);
      if (bytesWritten !== lines.length) throw new Error(`audit log: short write (${bytesWritten} of ${lines.length} bytes)`);
      if (options.maxBytes !== undefined) full = fstatSync(fd).size >= options.maxBytes;
    } finally {
      closeSync(fd);
    }
  } finally {
    stopAnnouncing(paths.writers);
  }
  if (full) await rotateIfFull(storageDir, options.maxBytes!);
}
