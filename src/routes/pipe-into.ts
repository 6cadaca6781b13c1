import type { Readable, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';

/**
 * `source.pipe(dest)`, settled once `dest` has finished; an error of either fails it (the
 * source's destroys `dest`). Not `stream.pipeline`: that makes an AbortController per call and
 * aborts it when done, building a DOMException with a stack trace (~4 % of a small upload's CPU
 * in `bdfu serve`), and it destroys the source on failure, which the callers here do not want
 * (they drain the source instead, so the body can be read to its end).
 */
export async function pipeInto(source: Readable, dest: Writable): Promise<void> {
  const forward = (error: Error) => dest.destroy(error);
  source.once('error', forward);
  source.pipe(dest);
  try {
    await finished(dest);
  } finally {
    source.off('error', forward);
  }
}
