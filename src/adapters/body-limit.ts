import { Transform, type TransformCallback } from 'node:stream';

/**
 * Passes on exactly `length` bytes and then ends, ignoring anything after them; fails if the
 * source ends first. A CGI request body is CONTENT_LENGTH bytes of stdin, no more.
 */
export class ExactLength extends Transform {
  private remaining: number;

  constructor(readonly length: number) {
    super({ highWaterMark: 1 << 20 });
    this.remaining = length;
    if (length === 0) this.push(null);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.remaining <= 0) return callback();
    const part = chunk.length <= this.remaining ? chunk : chunk.subarray(0, this.remaining);
    this.remaining -= part.length;
    this.push(part);
    if (this.remaining === 0) this.push(null);
    callback();
  }

  override _flush(callback: TransformCallback): void {
    if (this.remaining > 0) {
      callback(new Error(`the body ended after ${this.length - this.remaining} of ${this.length} bytes (CONTENT_LENGTH)`));
    } else callback();
  }
}
