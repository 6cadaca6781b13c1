import { randomBytes } from 'node:crypto';
import { mkdir, open, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { auditPaths, STALE_MS, type AuditEntry } from './entry.js';
import { rotateIfFull } from './rotate.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function pausedByAnonymizer(pause: string): Promise<boolean> {
  try {
    const { mtimeMs } = await stat(pause);
    return Date.now() - mtimeMs < STALE_MS;
  } catch {
    return false;
  }
}

async function createMarker(dir: string): Promise<string> {
  const marker = join(dir, `${process.pid}-${randomBytes(6).toString('hex')}`);
  try {
    await (await open(marker, 'wx', 0o600)).close();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await (await open(marker, 'wx', 0o600)).close();
  }
  return marker;
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
 */
export async function appendEntries(storageDir: string, entries: readonly AuditEntry[], options: { maxBytes?: number } = {}): Promise<void> {
  const paths = auditPaths(storageDir);
  const lines = Buffer.from(entries.map((entry) => JSON.stringify(entry) + '\n').join(''));
  let marker = await createMarker(paths.writers);
  let full = false;
  try {
    const giveUp = Date.now() + STALE_MS;
    while ((await pausedByAnonymizer(paths.pause)) && Date.now() < giveUp) {
      await unlink(marker);
      await sleep(10 + Math.random() * 20);
      marker = await createMarker(paths.writers);
    }
    const handle = await open(paths.log, 'a', 0o600);
    try {
      const { bytesWritten } = await handle.write(lines, 0, lines.length);
      if (bytesWritten !== lines.length) throw new Error(`audit log: short write (${bytesWritten} of ${lines.length} bytes)`);
      if (options.maxBytes !== undefined) full = (await handle.stat()).size >= options.maxBytes;
    } finally {
      await handle.close();
    }
  } finally {
    await unlink(marker).catch(() => undefined);
  }
  if (full) await rotateIfFull(storageDir, options.maxBytes!);
}
