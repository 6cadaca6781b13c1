// The least a server must do to keep bdfu's promises, and nothing else: the bytes hashed with
// SHA-256 as they stream, written to a temporary file, fsynced, renamed to their final name,
// and the directory fsynced (shared between concurrent renames, as bdfu shares it) before the
// answer. No parsing, no authentication, no record, no audit line. Its ratio to the plain pipe
// is the ceiling any durable, hashing server can reach on the machine the bench runs on.
import { createHash } from 'node:crypto';
import { close, createWriteStream, fsync, open as openFd } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';

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

export async function durablePipe(dir: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const id = `${process.pid}-${++count}`;
  const temporary = join(dir, `.durable-${id}.part`);
  const hash = createHash('sha256');
  // A numeric descriptor: a FileHandle's write stream keeps the handle from closing until the stream does.
  const fd = await promisify(openFd)(temporary, 'wx');
  let size = 0;
  try {
    req.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      size += chunk.length;
    });
    await pipeline(req, createWriteStream('', { fd, autoClose: false, emitClose: false }));
    await promisify(fsync)(fd);
  } finally {
    await promisify(close)(fd);
  }
  await rename(temporary, join(dir, `durable-${id}`));
  await syncDirectory(dir);
  res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ size, sha256: hash.digest('hex') }));
}
