import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FileRecord, Store, UploadMeta } from '../../../src/storage/store.js';

export const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

export async function put(store: Store, user: string, data: Buffer | string, meta: Partial<UploadMeta> = {}): Promise<FileRecord> {
  const bytes = Buffer.from(data);
  const pending = await store.begin(user, { name: 'f.bin', type: 'application/octet-stream', ...meta });
  await pipeline(Readable.from([bytes]), pending.stream);
  return pending.commit({ size: bytes.length, sha256: sha256(bytes) });
}

export async function read(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** A body that yields `chunks` one at a time, letting other work run between them. */
export function slowBody(chunks: readonly Buffer[]): Readable {
  return Readable.from((async function* () {
    for (const chunk of chunks) {
      await new Promise((resolve) => setImmediate(resolve));
      yield chunk;
    }
  })());
}

/** A body that yields `data`, then fails as a client that went away would. */
export function failingBody(data: Buffer): Readable {
  return Readable.from((async function* () {
    yield data;
    await new Promise((resolve) => setImmediate(resolve));
    throw Object.assign(new Error('the client went away'), { code: 'ECONNRESET' });
  })());
}
