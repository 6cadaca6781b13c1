// The least a server must do to keep bdfu's promises, and nothing else: the bytes hashed with
// SHA-256 as they stream, written to a temporary file (batched into one write in flight, its
// earlier bytes flushed while later ones are written, as bdfu does) and flushed, a record of them (size and
// SHA-256, a file of its own as bdfu's metadata is) written and flushed, the file renamed to its
// final name, and the directory fsynced (shared between concurrent renames, as bdfu shares it)
// before the answer; small writes and closes in line, as bdfu makes them. No parsing, no
// authentication, no audit line. Its ratio to the plain pipe
// is the ceiling any durable, hashing server can reach on the machine the bench runs on.
import { createHash, type Hash } from 'node:crypto';
import { closeSync, fdatasync, open as openFd, renameSync, writev, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';

const openDescriptor = promisify(openFd);
const datasync = promisify(fdatasync);
const writeAt = promisify(writev);

let count = 0;
let running: Promise<void> | undefined;
let next: Promise<void> | undefined;

async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function syncDirectory(dir: string): Promise<void> {
  if (next) return next;
  if (!running) {
    running = fsyncDirectory(dir).finally(() => { running = undefined; });
    return running;
  }
  next = running.catch(() => undefined).then(() => {
    next = undefined;
    return syncDirectory(dir);
  });
  return next;
}

/** A flush is started each time this many more bytes are written, none waiting on it (bdfu's FLUSH_BEHIND_BYTES). */
const FLUSH_BEHIND = 32 << 20;
/** Bytes queued behind the write in flight before reading waits (bdfu's BatchedWriter). */
const MAX_QUEUED = 256 << 10;

/**
 * Streams the body into `fd` as bdfu's writers do: one `writev` in flight, what arrives meanwhile
 * batched into the next; earlier bytes flushed behind the writes. Returns the bytes written.
 */
async function writeBatched(fd: number, req: IncomingMessage, hash: Hash): Promise<number> {
  let queue: Buffer[] = [];
  let queued = 0;
  let position = 0;
  let flushedAt = 0;
  let writing: Promise<void> | undefined;
  let flushing: Promise<void> | undefined;
  let failure: unknown;
  const drain = async () => {
    try {
      while (queue.length > 0) {
        const batch = queue;
        queue = [];
        queued = 0;
        const length = batch.reduce((sum, buffer) => sum + buffer.length, 0);
        const written = await writeAt(fd, batch, position);
        if (written.bytesWritten !== length) throw new Error('short write');
        position += length;
        if (!flushing && position - flushedAt >= FLUSH_BEHIND) {
          flushedAt = position;
          flushing = datasync(fd).finally(() => { flushing = undefined; });
        }
      }
    } catch (error) {
      failure ??= error;
    } finally {
      writing = undefined;
    }
  };
  for await (const chunk of req) {
    if (failure) throw failure;
    hash.update(chunk as Buffer);
    queue.push(chunk as Buffer);
    queued += (chunk as Buffer).length;
    writing ??= drain();
    if (queued >= MAX_QUEUED) await writing;
  }
  await writing;
  await flushing;
  if (failure) throw failure;
  return position;
}

/** Bodies up to this size are read whole and written in line, as bdfu writes a file's first 64 KiB. */
const SMALL = 64 << 10;

/** Writes `bytes` at the start of `fd` on the main thread (a page-cache write: microseconds). */
function writeInLine(fd: number, bytes: Buffer): void {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done, done);
}

async function readSmall(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function durablePipe(dir: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const id = `${process.pid}-${++count}`;
  const temporary = join(dir, `.durable-${id}.part`);
  const hash = createHash('sha256');
  // The record is made first and off the main thread, as bdfu makes its lease (making a file is
  // the slow call), and written once the bytes are known.
  const record = await openDescriptor(join(dir, `.durable-${id}.json`), 'wx');
  const fd = await openDescriptor(temporary, 'wx');
  let size = 0;
  try {
    if (Number(req.headers['content-length']) <= SMALL) {
      const body = await readSmall(req);
      hash.update(body);
      size = body.length;
      writeInLine(fd, body);
    } else {
      size = await writeBatched(fd, req, hash);
    }
    await datasync(fd);
  } finally {
    closeSync(fd);
  }
  const sha256 = hash.digest('hex');
  try {
    writeInLine(record, Buffer.from(JSON.stringify({ size, sha256 })));
    await datasync(record);
  } finally {
    closeSync(record);
  }
  renameSync(temporary, join(dir, `durable-${id}`));
  await syncDirectory(dir);
  res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ size, sha256 }));
}
