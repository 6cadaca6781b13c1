import type { Readable } from 'node:stream';
import type { ByteRange } from '../store.js';

/** One uploaded part of a multipart upload, as CompleteMultipartUpload wants it. */
export interface UploadedPart {
  partNumber: number;
  etag: string;
  size: number;
}

/**
 * What sessions and documents need from the bucket: whole small objects, ranged reads, and the
 * multipart calls (parts ≥ 5 MiB but the last, ≤ 10,000 of them). Implemented over the S3 client.
 */
export interface ObjectBytes {
  /** A whole object from bytes in hand (small: a staged chunk, a last part). */
  put(key: string, body: Buffer): Promise<void>;
  /** Undefined when there is no such object. */
  get(key: string, range?: ByteRange): Promise<Readable | undefined>;
  /** Quietly done when there is no such object. */
  remove(key: string): Promise<void>;
  /** Keys under a prefix. */
  list(prefix: string): AsyncIterable<string>;
  createMultipart(key: string): Promise<string>;
  uploadPart(key: string, uploadId: string, partNumber: number, body: Buffer): Promise<string>;
  /** 'not_found' (StorageError) when the upload is unknown (already completed or aborted). */
  completeMultipart(key: string, uploadId: string, parts: readonly UploadedPart[]): Promise<void>;
  /** Quietly done when the upload is unknown. */
  abortMultipart(key: string, uploadId: string): Promise<void>;
}
