import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { request, type Agent, type IncomingHttpHeaders } from 'node:http';

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  bytes: number;
  ms: number;
}

/** Sends a body given as chunks (written as the socket takes them) and reads the whole answer. */
export async function send(
  url: string,
  options: { method: string; headers?: Record<string, string | number>; body?: Iterable<Buffer>; agent?: Agent; keepText?: boolean },
): Promise<Answer> {
  const start = process.hrtime.bigint();
  const req = request(url, { method: options.method, headers: options.headers, agent: options.agent });
  const answered = once(req, 'response');
  for (const chunk of options.body ?? []) {
    if (!req.write(chunk)) await Promise.race([once(req, 'drain'), answered]);
  }
  req.end();
  const [res] = (await answered) as [import('node:http').IncomingMessage];
  let bytes = 0;
  const kept: Buffer[] = [];
  const keepText = options.keepText ?? true;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (keepText) kept.push(chunk);
  }
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  return { status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(kept).toString(), bytes, ms };
}

const POOL = randomBytes(16 << 20);
const CHUNK = 256 << 10;

/** `size` bytes of random data in 256 KiB chunks, made without copying or hashing so the client stays cheap. */
export function* randomChunks(size: number): Generator<Buffer> {
  let offset = 0;
  for (let left = size; left > 0; left -= CHUNK) {
    const n = Math.min(CHUNK, left);
    if (offset + n > POOL.length) offset = (offset + 4099) % CHUNK;
    yield POOL.subarray(offset, offset + n);
    offset += n;
  }
}

/** A multipart/form-data body with one `file` part of `size` random bytes. */
export function multipart(size: number) {
  // Shaped like curl's boundary (browsers' are as long): the parser's search skips by its length.
  const boundary = `${'-'.repeat(24)}${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="bench.bin"\r\n` +
      'Content-Type: application/octet-stream\r\n\r\n',
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    length: head.length + size + tail.length,
    *chunks(): Generator<Buffer> {
      yield head;
      yield* randomChunks(size);
      yield tail;
    },
  };
}

export const MiB = 1 << 20;
export const GiB = 1 << 30;
