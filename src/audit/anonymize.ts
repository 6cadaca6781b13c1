import { open, readdir, readFile, rename, stat, unlink, utimes, writeFile, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { anonymousEntry } from './anonymous-entry.js';
import { auditPaths, STALE_MS, type AuditEntry } from './entry.js';

export interface AnonymizeResult {
  /** False when another anonymize run holds the log. */
  ran: boolean;
  entries: number;
  anonymized: number;
}

/** A run's lock (its rewrite file) older than this was left by a run that died. */
const RUN_STALE_MS = 10 * 60_000;
const CHUNK = 1 << 20;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Makes entries older than `olderThanSeconds` anonymous (see anonymous-entry.ts), keeping every entry,
 * including those appended while it runs. How:
 *
 * 1. Create `.audit.jsonl.rewrite` exclusively: that is the new log, and the lock against a
 *    second run.
 * 2. Copy the log's whole lines into it, anonymizing the old ones, without stopping appenders
 *    (they only add at the end; the copy remembers the offset it reached).
 * 3. Pause the appenders briefly: create `.audit.pause`, then wait until no append that started
 *    before the pause is in progress (no fresh marker in `.audit.writers/` says it is appending;
 *    append.ts announces itself before it checks for a pause, so none is missed).
 * 4. Copy what was appended since the offset of step 2, fsync, and rename the new log over the
 *    old one (atomic: a reader sees the whole old log or the whole new one), fsync the directory.
 * 5. Remove the pause. Appenders waiting on it carry on, into the new log.
 *
 * A log with nothing to anonymize is left untouched (no rewrite).
 */
export async function anonymizeOlderThan(storageDir: string, olderThanSeconds: number, now = Date.now()): Promise<AnonymizeResult> {
  const paths = auditPaths(storageDir);
  const cutoff = now - olderThanSeconds * 1000;
  const present = (path: string) => stat(path).then(() => true, (error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return false;
    throw error;
  });
  if (!(await present(paths.log)) && !(await present(paths.previous))) return { ran: true, entries: 0, anonymized: 0 };
  const output = await lockRun(paths.rewrite);
  if (!output) return { ran: false, entries: 0, anonymized: 0 };
  const counts = { entries: 0, anonymized: 0 };
  let input: FileHandle | undefined;
  let paused = false;
  let renamed = false;
  try {
    await anonymizeRotated(paths.previous, cutoff, counts);
    const beforeLog = counts.anonymized;
    try {
      input = await open(paths.log, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { ran: true, ...counts };
      throw error;
    }
    const offset = await copyLines(input, 0, output, cutoff, counts);
    if (counts.anonymized === beforeLog) return { ran: true, ...counts };

    await writeFile(paths.pause, `${process.pid}\n`, { mode: 0o600 });
    paused = true;
    await waitForAppenders(paths.writers, paths.pause);
    await copyLines(input, offset, output, cutoff, counts, true);
    await output.sync();
    await output.close();
    await rename(paths.rewrite, paths.log);
    renamed = true;
    await syncDir(dirname(paths.log));
    return { ran: true, ...counts };
  } finally {
    await input?.close();
    if (paused) await unlink(paths.pause).catch(() => undefined);
    await output.close().catch(() => undefined);
    if (!renamed) await unlink(paths.rewrite).catch(() => undefined);
  }
}

/** The rotated log (see rotate.ts): nothing appends to it, so it is rewritten whole. */
async function anonymizeRotated(path: string, cutoff: number, counts: { entries: number; anonymized: number }): Promise<void> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const before = counts.anonymized;
  const lines = text.split('\n').map((line) => (line === '' ? line : anonymizeLine(line, cutoff, counts)));
  if (counts.anonymized === before) return;
  const aside = `${path}.rewrite`;
  const handle = await open(aside, 'w', 0o600);
  try {
    await handle.writeFile(lines.join('\n'));
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(aside, path);
}

async function lockRun(rewrite: string): Promise<FileHandle | undefined> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      return await open(rewrite, 'wx', 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age = await stat(rewrite).then((s) => Date.now() - s.mtimeMs, () => 0);
      if (age < RUN_STALE_MS) return undefined;
      await unlink(rewrite).catch(() => undefined);
    }
  }
  return undefined;
}

function anonymizeLine(line: string, cutoff: number, counts: { entries: number; anonymized: number }): string {
  counts.entries++;
  let entry: AuditEntry;
  try {
    entry = JSON.parse(line) as AuditEntry;
  } catch {
    return line;
  }
  if (!(Date.parse(entry.time) < cutoff)) return line;
  const anonymous = JSON.stringify(anonymousEntry(entry));
  // Already anonymous (an entry anonymized before owner and name were removed too is redone).
  if (anonymous === line) return line;
  counts.anonymized++;
  return anonymous;
}

/**
 * Copies whole lines from `offset` on, anonymizing old entries; returns the offset after the
 * last whole line. `toEnd`: also copy a last line without its newline (nothing is appending).
 */
async function copyLines(input: FileHandle, offset: number, output: FileHandle, cutoff: number,
  counts: { entries: number; anonymized: number }, toEnd = false): Promise<number> {
  const buffer = Buffer.alloc(CHUNK);
  let position = offset;
  let rest = '';
  for (;;) {
    const { bytesRead } = await input.read(buffer, 0, CHUNK, position);
    if (bytesRead === 0) break;
    position += bytesRead;
    const text = rest + buffer.toString('latin1', 0, bytesRead);
    const end = text.lastIndexOf('\n');
    rest = text.slice(end + 1);
    if (end < 0) continue;
    const lines = Buffer.from(text.slice(0, end), 'latin1').toString('utf8').split('\n');
    const out = lines.map((line) => (line === '' ? line : anonymizeLine(line, cutoff, counts))).join('\n') + '\n';
    await output.write(out);
  }
  if (toEnd && rest !== '') {
    await output.write(Buffer.from(rest + '\n', 'latin1'));
    return position;
  }
  return position - Buffer.byteLength(rest, 'latin1');
}

/** A process's marker says "0" between its appends (append.ts); one just made is still empty. */
async function betweenAppends(marker: string): Promise<boolean> {
  return readFile(marker, 'latin1').then((flag) => flag === '0', () => true);
}

async function waitForAppenders(dir: string, pause: string): Promise<void> {
  for (;;) {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return;
    }
    let busy = false;
    for (const name of names) {
      const marker = join(dir, name);
      const age = await stat(marker).then((s) => Date.now() - s.mtimeMs, () => -1);
      if (age < 0) continue;
      if (age >= STALE_MS) await unlink(marker).catch(() => undefined);
      else if (!(await betweenAppends(marker))) busy = true;
    }
    if (!busy) return;
    // Keep the pause fresh: appenders ignore a pause older than STALE_MS.
    const now = new Date();
    await utimes(pause, now, now);
    await sleep(5);
  }
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
