import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { CliError } from './fail.js';
import { endpointUrl, readJson, send } from './http-client.js';
import { progressMeter } from './progress.js';

const EXPECT_CONTINUE_ABOVE = 1 << 20;

/** A multipart field value as browsers write it: quotes and line breaks percent-escaped. */
function quoted(value: string): string {
  return value.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** The file as one multipart/form-data body, streamed from disk, never held in memory. */
function multipartBody(path: string, head: Buffer, tail: Buffer, size: number): Readable {
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  out.write(head);
  const file = createReadStream(path, { highWaterMark: 1 << 20 });
  const meter = progressMeter(size, basename(path));
  file.on('error', (error) => out.destroy(error));
  file.pipe(meter).pipe(out, { end: false });
  meter.on('end', () => out.end(tail));
  return out;
}

export interface UploadOptions {
  json?: boolean;
  /** Files of at least this many bytes go by tus (resumable); the others in one multipart POST. */
  tusThreshold: number;
  chunkSize: number;
  resume?: boolean;
  retries: number;
  /** Delete the file after this long (seconds, 90m, 12h, 7d, 2w, never). */
  expiresIn?: string;
}

export async function upload(endpoint: string, token: string, path: string, options: UploadOptions): Promise<void> {
  const url = endpointUrl(endpoint, 'upload');
  // The server checks it before the body is sent (a query, not a form field).
  if (options.expiresIn !== undefined) url.searchParams.set('expires_in', options.expiresIn);
  let size: number;
  let mtimeMs: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new CliError(`${path} is not a regular file`);
    size = info.size;
    mtimeMs = info.mtimeMs;
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  if (size >= options.tusThreshold) {
    const { tusUpload } = await import('./tus-upload.js');
    const identity = { endpoint: url.href, path: resolve(path), size, mtimeMs };
    const answer = await tusUpload(endpoint, token, path, identity, { chunkSize: options.chunkSize, resume: options.resume ?? false, retries: options.retries, expiresIn: options.expiresIn });
    if (typeof answer.id !== 'string') throw new CliError('upload failed: the server answered without an id');
    process.stdout.write(options.json ? JSON.stringify(answer) + '\n' : `${answer.id}\n`);
    return;
  }
  const boundary = `bdfu-${randomBytes(12).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${quoted(basename(path))}"\r\n` +
      'Content-Type: application/octet-stream\r\n\r\n',
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const res = await send(url, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': `multipart/form-data; boundary=${boundary}`,
      'content-length': head.length + size + tail.length,
      accept: 'application/json',
    },
    body: () => multipartBody(path, head, tail, size),
    expectContinue: size > EXPECT_CONTINUE_ABOVE,
  });
  const answer = await readJson(res, 'upload');
  if (typeof answer.id !== 'string') throw new CliError(`upload failed: the server answered without an id (HTTP ${res.status})`);
  process.stdout.write(options.json ? JSON.stringify(answer) + '\n' : `${answer.id}\n`);
}
