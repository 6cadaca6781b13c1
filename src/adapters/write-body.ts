import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ResponseBody } from '../core/types.js';

/** Writes a response body to a sink and ends it; a failing body stream destroys the sink. */
export async function writeBody(body: ResponseBody | undefined, sink: Writable): Promise<void> {
  if (body === undefined) {
    sink.end();
    return;
  }
  if (typeof body === 'string' || body instanceof Uint8Array) {
    await new Promise<void>((resolve) => sink.end(body, resolve));
    return;
  }
  await pipeline(body as Readable, sink);
}
