import { readFileSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';

/** Peak resident memory of a process, in bytes (VmHWM from /proc). */
export function peakRss(pid: number): number {
  const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  if (!kb) throw new Error(`no VmHWM for ${pid}`);
  return Number(kb) * 1024;
}

/**
 * `size` bytes of random data generated as it is read, with a running sha256, so a test can
 * send gigabytes without holding them.
 */
export function randomStream(size: number, chunk = 1 << 20) {
  const hash = createHash('sha256');
  let left = size;
  const block = randomBytes(chunk);
  let counter = 0;
  const stream = new Readable({
    read() {
      if (left === 0) {
        this.push(null);
        return;
      }
      const n = Math.min(chunk, left);
      // Vary each block cheaply so no two blocks are alike.
      const out = Buffer.from(block.subarray(0, n));
      out.writeUInt32BE(counter++, 0);
      hash.update(out);
      left -= n;
      this.push(out);
    },
  });
  return { stream, digest: () => hash.digest('hex') };
}

/** A multipart body around a streamed file: head, the stream, tail. */
export function streamedMultipart(size: number, filename = 'big.bin') {
  const boundary = `b${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const file = randomStream(size);
  async function* parts() {
    yield head;
    yield* file.stream;
    yield tail;
  }
  return {
    body: Readable.from(parts(), { objectMode: false }),
    contentType: `multipart/form-data; boundary=${boundary}`,
    length: head.length + size + tail.length,
    digest: file.digest,
  };
}
