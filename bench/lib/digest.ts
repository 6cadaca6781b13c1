import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { randomChunks } from './http.js';

/** SHA-256 (hex) of what `randomChunks(size)` yields: what a verified upload must have stored. */
export function sha256OfRandomChunks(size: number): string {
  const hash = createHash('sha256');
  for (const chunk of randomChunks(size)) hash.update(chunk);
  return hash.digest('hex');
}

/** SHA-256 (hex) and size of a file as it is on disk. */
export async function sha256OfFile(path: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { sha256: hash.digest('hex'), size };
}

/** Throws unless the file at `path` holds exactly the expected bytes: a failed upload is never timed as a fast one. */
export async function verifyStored(what: string, path: string, size: number, sha256: string): Promise<void> {
  const stored = await sha256OfFile(path);
  if (stored.size !== size || stored.sha256 !== sha256) {
    throw new Error(`${what}: ${path} holds ${stored.size} bytes with sha256 ${stored.sha256}, not ${size} with ${sha256}`);
  }
}
