import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { request } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

const CHUNK = 1 << 20;

export interface BigUpload {
  status: number;
  json: any;
  text: string;
  /** sha256 of the file bytes that were sent. */
  sentSha256: string;
}

/**
 * POSTs a multipart upload of `size` pseudo-random bytes (an AES-CTR keystream) with a
 * Content-Length, generated chunk by chunk as the socket takes it: never held in memory.
 */
export function uploadGenerated(url: string, token: string, size: number): Promise<BigUpload> {
  const boundary = `big${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n` +
    'Content-Type: application/octet-stream\r\n\r\n');
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const hash = createHash('sha256');
  const keystream = createCipheriv('aes-128-ctr', randomBytes(16), randomBytes(16));
  const zeros = Buffer.alloc(CHUNK);

  async function* body() {
    yield head;
    for (let sent = 0; sent < size; sent += CHUNK) {
      const chunk = keystream.update(zeros.subarray(0, Math.min(CHUNK, size - sent)));
      hash.update(chunk);
      yield chunk;
    }
    yield tail;
  }

  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': head.length + size + tail.length,
      },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, json, text, sentSha256: hash.copy().digest('hex') });
      });
    });
    req.on('error', reject);
    pipeline(Readable.from(body()), req).catch(reject);
  });
}

export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path, { highWaterMark: CHUNK }), hash);
  return hash.digest('hex');
}

/** Peak resident memory of a live process, in bytes, from /proc/<pid>/status (VmHWM). */
export async function peakRss(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kB = /^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1];
  if (!kB) throw new Error(`no VmHWM in /proc/${pid}/status`);
  return Number(kB) * 1024;
}
