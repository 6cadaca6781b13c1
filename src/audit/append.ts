import { randomBytes } from 'node:crypto';
import { closeSync, fstatSync, mkdirSync, openSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { auditPaths, STALE_MS, type AuditEntry } from './entry.js';
import { rotateIfFull } from './rotate.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function pausedByAnonymizer(pause: string): boolean {
  const found = statSync(pause, { throwIfNoEntry: false });
  return found !== undefined && Date.now() - found.mtimeMs < STALE_MS;
}

function createMarker(dir: string): string {
  const marker = join(dir, `${process.pid}-${randomBytes(6).toString('hex')}`);
  try {
    closeSync(openSync(marker, 'wx', 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    closeSync(openSync(marker, 'wx', 0o600));
  }
  return marker;
}

function removeMarker(marker: string): void {
  try {
    unlinkSync(marker);
  } catch {
    // Gone already, or left behind: the anonymizer removes markers older than STALE_MS.
  }
}

/**
 * Appends entries, one line each. The lines go out in ONE write(2) on an O_APPEND descriptor:
 * the kernel moves to the end and writes under the inode lock, so lines from concurrent
 * processes never interleave, whatever their length.
 *
 * The marker file and the pause check are the appender's half of the anonymizer's handshake
 * (see anonymize.ts): an append first announces itself (marker), then checks for a pause; the
 * anonymizer first sets the pause, then waits for the markers to go. Whichever comes second
 * sees the other, so no line is written into a log that is being swapped out.
 *
 * The calls are synchronous: each takes microseconds on a local disk, less than a round trip
 * through libuv's thread pool costs (docs/performance.md, figure 3).
 */
export async function appendEntries(storageDir: string, entries: readonly AuditEntry[], options: { maxBytes?: number } = {}): Promise<void> {
  const paths = auditPaths(storageDir);
  const lines = Buffer.from(entries.map((entry) => JSON.stringify(entry) + '\n').join(''));
  let marker = createMarker(paths.writers);
  let full = false;
  try {
    const giveUp = Date.now() + STALE_MS;
    while (pausedByAnonymizer(paths.pause) && Date.now() < giveUp) {
      unlinkSync(marker);
      await sleep(10 + Math.random() * 20);
      marker = createMarker(paths.writers);
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
    removeMarker(marker);
  }
  if (full) await rotateIfFull(storageDir, options.maxBytes!);
}
