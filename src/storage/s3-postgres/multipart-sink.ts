import type { Readable } from 'node:stream';
import { StorageError } from '../errors.js';
import type { ObjectBytes, UploadedPart } from './object-bytes.js';

/**
 * Streams bytes of unknown length into one object: a single PUT when they fit in one part,
 * else a multipart upload of `partSize` parts. Holds at most one part in memory.
 */
export class MultipartSink {
  private buffers: Buffer[] = [];
  private buffered = 0;
  private uploadId: string | undefined;
  private readonly parts: UploadedPart[] = [];
  written = 0;

  constructor(
    private readonly objects: ObjectBytes,
    readonly key: string,
    private readonly partSize: number,
  ) {}

  async write(chunk: Buffer): Promise<void> {
    this.buffers.push(chunk);
    this.buffered += chunk.length;
    this.written += chunk.length;
    while (this.buffered >= this.partSize) await this.uploadPart(this.take(this.partSize));
  }

  /** Writes everything from `body`, calling `seen` on each chunk first (it may throw to stop). */
  async writeAll(body: Readable, seen?: (chunk: Buffer) => void): Promise<void> {
    for await (const chunk of body) {
      const buffer = chunk as Buffer;
      seen?.(buffer);
      await this.write(buffer);
    }
  }

  /** Makes the object; afterwards it exists at `key` with every byte written. */
  async close(): Promise<void> {
    const rest = this.take(this.buffered);
    if (this.uploadId === undefined) {
      await this.objects.put(this.key, rest);
      return;
    }
    if (rest.length > 0) await this.uploadPart(rest);
    await this.objects.completeMultipart(this.key, this.uploadId, this.parts);
  }

  /** Leaves nothing behind (no parts, no object); safe after a failed close(). */
  async abort(): Promise<void> {
    this.buffers = [];
    this.buffered = 0;
    if (this.uploadId !== undefined) await this.objects.abortMultipart(this.key, this.uploadId).catch(() => undefined);
    await this.objects.remove(this.key).catch(() => undefined);
  }

  private take(bytes: number): Buffer {
    const all = Buffer.concat(this.buffers, this.buffered);
    const head = all.subarray(0, bytes);
    const tail = all.subarray(bytes);
    this.buffers = tail.length > 0 ? [Buffer.from(tail)] : [];
    this.buffered = tail.length;
    return head;
  }

  private async uploadPart(body: Buffer): Promise<void> {
    this.uploadId ??= await this.objects.createMultipart(this.key);
    const partNumber = this.parts.length + 1;
    if (partNumber > 10_000) throw new StorageError('too_large', 'the object would need more than 10,000 parts');
    const etag = await this.objects.uploadPart(this.key, this.uploadId, partNumber, body);
    this.parts.push({ partNumber, etag, size: body.length });
  }
}
