// The least a server must do to keep bdfu's promises, and nothing else: the bytes hashed with
// SHA-256 as they stream, written to a temporary file and flushed, a record of them (size and
// SHA-256, a file of its own as bdfu's metadata is) written and flushed, the file renamed to its
// final name, and the directory fsynced (shared between concurrent renames, as bdfu shares it)
// before the answer; small writes and closes in line, as bdfu makes them. No parsing, no
// authentication, no audit line. Its ratio to the plain pipe
// is the ceiling any durable, hashing server can reach on the machine the bench runs on.
import { createHash } from 'node:crypto';
import { closeSync, createWriteStream, fdatasync, open as openFd, renameSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';

const openDescriptor = promisify(openFd);
const datasync = promisify(fdatasync);

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
  // A numeric descriptor: a FileHandle's write stream keeps the handle from closing until the stream does.
  const fd = await openDescriptor(temporary, 'wx');
  let size = 0;
  try {
    if (Number(req.headers['content-length']) <= SMALL) {
      const body = await readSmall(req);
      hash.update(body);
      size = body.length;
      writeInLine(fd, body);
    } else {
      req.on('data', (chunk: Buffer) => {
        hash.update(chunk);
        size += chunk.length;
      });
      await pipeline(req, createWriteStream('', { fd, autoClose: false, emitClose: false }));
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
