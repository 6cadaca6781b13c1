import { Transform, type TransformCallback } from 'node:stream';

/** Passes bytes through until more than `limit` went by; then fails with `exceeded()`'s error. */
export class ByteLimit extends Transform {
  count = 0;

  constructor(
    readonly limit: number,
    private readonly exceeded: (count: number) => Error,
  ) {
    super({ highWaterMark: 64 * 1024 });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.count += chunk.length;
    if (this.count > this.limit) callback(this.exceeded(this.count));
    else callback(null, chunk);
  }
}
