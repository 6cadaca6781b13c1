import { createHash } from 'node:crypto';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { StorageError } from '../errors.js';
import type { DurableFile } from './durable-file.js';

/** What streaming a body into a file came to. */
export interface Streamed {
  /** Bytes taken from the body (all of them reached the file unless `fileError`). */
  size: number;
  /** SHA-256 of those bytes, when the body ended with `length` of them and the file is flushed and closed. */
  sha256?: string;
  /** The file failed (the disk): nothing of it is worth keeping. */
  fileError?: unknown;
}

/**
 * Streams `body` into `file`, hashing it, up to `length` bytes: more is 'too_large' (thrown, the
 * file destroyed). Ends the file (flushed and closed, see DurableFile) when the body ends with
 * `length` bytes; otherwise (the body failed or ended short, or the file failed) destroys it:
 * what reached the file stays.
 */
export async function streamIntoFile(body: Readable, file: DurableFile, length: number): Promise<Streamed> {
  const hash = createHash('sha256');
  let size = 0;
  let fileError: unknown;
  let refused: StorageError | undefined;
  file.on('error', (error) => (fileError ??= error));
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      if (size + chunk.length > length) {
        throw new StorageError('too_large', `the upload may hold ${length} bytes; the body goes past that`, { details: { allowed: length } });
      }
      hash.update(chunk);
      size += chunk.length;
      if (!file.write(chunk)) await once(file, 'drain');
    }
    if (size === length) {
      file.end();
      await finished(file);
      return { size, sha256: hash.digest('hex') };
    }
  } catch (error) {
    if (error instanceof StorageError) refused = error;
  }
  file.destroy();
  await finished(file).catch(() => undefined);
  if (refused) throw refused;
  return fileError !== undefined ? { size, fileError } : { size };
}
