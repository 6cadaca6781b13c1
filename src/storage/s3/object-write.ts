import { Writable } from 'node:stream';
import type { CompletedPart, S3Client } from './client.js';
import { MAX_PARTS } from './part-size.js';

export interface ObjectWriteOptions {
  partBytes: number;
  partsInFlight: number;
  contentType?: string;
  /** Called after each part reached S3 (a liveness signal for sweeps); its failures are ignored. */
  onPart?: () => Promise<unknown> | unknown;
}

/** One object being written: bytes into `stream`, then complete() makes it exist, or abort() leaves nothing. */
export interface ObjectWrite {
  readonly stream: Writable;
  /** After the stream finished: one PutObject (small objects) or CompleteMultipartUpload. */
  complete(): Promise<void>;
  /** Stops, and aborts the multipart upload; safe to call more than once. Does not delete a completed object. */
  abort(): Promise<void>;
}

/**
 * Streams bytes into S3 without holding the whole object: parts of `partBytes` are cut as they
 * fill and sent while the next fills (at most `partsInFlight` at once; writes wait beyond that).
 * An object smaller than one part is sent as a single PutObject at complete().
 */
export function startObjectWrite(client: S3Client, key: string, options: ObjectWriteOptions): ObjectWrite {
  let chunks: Buffer[] = [];
  let buffered = 0;
  let uploadId: Promise<string> | undefined;
  let partsStarted = 0;
  const parts: CompletedPart[] = [];
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  let aborted = false;
  let completed = false;
  const contentType = options.contentType ?? 'application/octet-stream';

  /** The first `bytes` buffered, as the chunks they came in (the one cut at the end is a view, not a copy). */
  const take = (bytes: number): Buffer[] => {
    const part: Buffer[] = [];
    let taken = 0;
    while (taken < bytes) {
      const chunk = chunks.shift()!;
      const room = bytes - taken;
      if (chunk.length > room) {
        part.push(chunk.subarray(0, room));
        chunks.unshift(chunk.subarray(room));
      } else part.push(chunk);
      taken += Math.min(chunk.length, room);
    }
    buffered -= bytes;
    return part;
  };

  const sendPart = async (body: Buffer[]) => {
    const partNumber = ++partsStarted;
    if (partNumber > MAX_PARTS) throw new Error(`more than ${MAX_PARTS} parts: the part size is too small for this upload`);
    uploadId ??= client.createMultipartUpload(key, contentType);
    const sending = (async () => {
      const part = await client.uploadPart(key, await uploadId!, partNumber, body);
      parts.push(part);
      try {
        await options.onPart?.();
      } catch {
        // A liveness signal only.
      }
    })();
    const tracked = sending.catch((error: unknown) => {
      failure ??= error;
    }).finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
    while (inFlight.size >= options.partsInFlight && failure === undefined) await Promise.race(inFlight);
    if (failure !== undefined) throw failure;
  };

  const stream = new Writable({
    highWaterMark: 1024 * 1024,
    write(chunk: Buffer, _encoding, callback) {
      if (failure !== undefined) return callback(failure as Error);
      chunks.push(chunk);
      buffered += chunk.length;
      if (buffered < options.partBytes) return callback();
      void (async () => {
        while (buffered >= options.partBytes) await sendPart(take(options.partBytes));
      })().then(() => callback(), (error: Error) => callback(error));
    },
    final(callback) {
      void (async () => {
        // The last part (any size) once a multipart upload began; a small object waits for complete().
        if (uploadId !== undefined && buffered > 0) await sendPart(take(buffered));
        await Promise.all(inFlight);
        if (failure !== undefined) throw failure;
      })().then(() => callback(), (error: Error) => callback(error));
    },
  });

  return {
    stream,
    async complete() {
      if (aborted) throw new Error('the object write was aborted');
      if (!stream.writableFinished) throw new Error('complete() before the stream finished');
      if (uploadId === undefined) await client.putObject(key, take(buffered), contentType);
      else {
        parts.sort((a, b) => a.partNumber - b.partNumber);
        await client.completeMultipartUpload(key, await uploadId, parts);
      }
      completed = true;
    },
    async abort() {
      if (aborted) return;
      aborted = true;
      failure ??= new Error('aborted');
      if (!stream.destroyed) stream.destroy();
      chunks = [];
      await Promise.allSettled(inFlight);
      if (uploadId !== undefined && !completed) {
        const id = await uploadId.catch(() => undefined);
        // When S3 is down this fails: the sweep lists and aborts what is left.
        if (id !== undefined) await client.abortMultipartUpload(key, id);
      }
    },
  };
}
