// The one tus client of the bench: plain node:http requests (POST, then PATCHes) that stream the
// bytes from a generator, the same for bdfu and for the @tus/server peer.
import { send, type Answer } from './http.js';

export const TUS_HEADERS = { 'tus-resumable': '1.0.0' } as const;
const OCTETS = 'application/offset+octet-stream';
const METADATA = `filename ${Buffer.from('bench.bin').toString('base64')},filetype ${Buffer.from('application/octet-stream').toString('base64')}`;

/** Hands out a generator's bytes `n` at a time, cutting a chunk where a request ends (no copies). */
export class Bytes {
  private rest: Buffer | undefined;

  constructor(private readonly source: Iterator<Buffer>) {}

  *take(n: number): Generator<Buffer> {
    for (let left = n; left > 0;) {
      let chunk = this.rest;
      this.rest = undefined;
      if (!chunk) {
        const next = this.source.next();
        if (next.done) throw new Error(`the bytes ran out ${left} bytes early`);
        chunk = next.value;
      }
      if (chunk.length > left) {
        this.rest = chunk.subarray(left);
        chunk = chunk.subarray(0, left);
      }
      left -= chunk.length;
      yield chunk;
    }
  }
}

export interface TusUpload {
  /** From the POST to the last PATCH's answer. */
  ms: number;
  /** The upload's URL (the POST's Location, resolved). */
  url: string;
  /** The answer to the last PATCH. */
  last: Answer;
}

/**
 * Creates an upload of `size` bytes at `endpoint` (POST, creation) and sends `chunks` in PATCHes
 * of `chunkSize` bytes, each answered before the next starts, as a tus client does.
 */
export async function tusUpload(endpoint: string, size: number, chunkSize: number, chunks: Iterable<Buffer>, headers: Record<string, string> = {}): Promise<TusUpload> {
  const start = process.hrtime.bigint();
  const created = await send(endpoint, {
    method: 'POST',
    headers: { ...headers, ...TUS_HEADERS, 'upload-length': size, 'upload-metadata': METADATA, 'content-length': 0 },
  });
  const location = created.headers.location;
  if (created.status !== 201 || !location) throw new Error(`tus POST ${endpoint} answered ${created.status}: ${created.text.slice(0, 500)}`);
  const url = new URL(location, endpoint).href;
  const bytes = new Bytes(chunks[Symbol.iterator]());
  let last = created;
  for (let offset = 0; offset < size;) {
    const n = Math.min(chunkSize, size - offset);
    last = await send(url, {
      method: 'PATCH',
      headers: { ...headers, ...TUS_HEADERS, 'upload-offset': offset, 'content-type': OCTETS, 'content-length': n },
      body: bytes.take(n),
    });
    offset += n;
    if ((last.status !== 204 && last.status !== 200) || last.headers['upload-offset'] !== String(offset)) {
      throw new Error(`tus PATCH ${url} at ${offset - n} answered ${last.status}, Upload-Offset ${last.headers['upload-offset']}: ${last.text.slice(0, 500)}`);
    }
  }
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, url, last };
}

/** One whole small upload in its POST (creation-with-upload): what each request of the small-upload rate sends. */
export function tusCreationWithUpload(body: Buffer, headers: Record<string, string> = {}) {
  return {
    method: 'POST',
    headers: { ...headers, ...TUS_HEADERS, 'upload-length': body.length, 'upload-metadata': METADATA, 'content-type': OCTETS, 'content-length': body.length },
    body,
    /** Whether the answer says every byte arrived. */
    done: (answer: Answer) => answer.status === 201 && answer.headers['upload-offset'] === String(body.length),
  };
}
