// The practical limit on this machine: a Node http server with no parsing, no auth, no hashing.
// POST <any path>: the request body, piped as it is into a new file in DIR. 201 {"size":n}.
// POST /durable: the same, hashed and made durable before the answer (durable-pipe.ts).
// GET /file?path=<absolute path>: that file, streamed as it is.
import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { durablePipe } from './durable-pipe.js';

const dir = process.argv[2];
if (!dir) throw new Error('usage: baseline.js DIR');
let count = 0;

const server = createServer((req, res) => {
  const done = (status: number, body: string) => res.writeHead(status, { 'content-type': 'application/json' }).end(body);
  if (req.method === 'POST' && req.url === '/durable') {
    durablePipe(dir, req, res).catch(() => res.destroy());
    return;
  }
  if (req.method === 'POST') {
    const file = createWriteStream(join(dir, `upload-${++count}`));
    pipeline(req, file).then(() => done(201, JSON.stringify({ size: file.bytesWritten })), () => res.destroy());
    return;
  }
  const path = new URL(req.url ?? '/', 'http://x').searchParams.get('path');
  if (req.method === 'GET' && path) {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': statSync(path).size });
    pipeline(createReadStream(path), res).catch(() => res.destroy());
    return;
  }
  done(404, '{}');
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`serving http://127.0.0.1:${(server.address() as AddressInfo).port}/\n`);
});
process.on('SIGTERM', () => process.exit(0));
