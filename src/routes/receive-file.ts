import busboy from 'busboy';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { HttpError } from '../core/http-error.js';
import type { CoreRequest } from '../core/types.js';
import { storageFailure } from '../storage/storage-errors.js';
import type { FileRecord, PendingWrite, Store, UploadMeta } from '../storage/store.js';
import { Meter } from './meter.js';

export const FILE_FIELD = 'file';

function parser(req: CoreRequest): busboy.Busboy {
  const contentType = req.headers['content-type'] ?? '';
  if (!/^multipart\/form-data\b/i.test(contentType)) {
    throw new HttpError(415, 'not_multipart', `send the file as multipart/form-data in the field '${FILE_FIELD}' (curl -F ${FILE_FIELD}=@path)`);
  }
  try {
    return busboy({ headers: req.headers, defParamCharset: 'utf8', limits: { fields: 100, fieldSize: 64 << 10 } });
  } catch (error) {
    throw new HttpError(400, 'bad_multipart', `the multipart body cannot be parsed: ${(error as Error).message}`);
  }
}

function bodyFailure(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  return new HttpError(400, 'body_incomplete', `the request body ended early or is malformed: ${(error as Error).message}`);
}

export interface ReceiveOptions {
  /** More metadata for the file, from the text fields sent before the file part. */
  extraMeta?: (fields: ReadonlyMap<string, string>) => Partial<UploadMeta>;
}

/**
 * Streams the one `file` part of a multipart body into the store. The file becomes visible
 * only after the whole body was read and parsed; any failure leaves nothing behind.
 */
export async function receiveFile(req: CoreRequest, store: Store, user: string, options: ReceiveOptions = {}): Promise<FileRecord> {
  const bb = parser(req);
  const fields = new Map<string, string>();
  bb.on('field', (name: string, value: string) => {
    if (!fields.has(name)) fields.set(name, value);
  });
  let pending: PendingWrite | undefined;
  let writing: Promise<{ size: number; sha256: string }> | undefined;
  let refusal: HttpError | undefined;

  bb.on('file', (field: string, file: Readable, info: busboy.FileInfo) => {
    if (field !== FILE_FIELD) {
      file.resume();
      return;
    }
    if (writing) {
      refusal ??= new HttpError(400, 'multiple_files', `send exactly one file in the field '${FILE_FIELD}'`);
      file.resume();
      return;
    }
    // busboy may fail the part (body ended early) while the store is still opening the file.
    let partError: Error | undefined;
    file.on('error', (error) => (partError ??= error));
    writing = (async () => {
      const meta: UploadMeta = { name: info.filename || 'upload', type: info.mimeType || 'application/octet-stream' };
      pending = await store.begin(user, { ...meta, ...options.extraMeta?.(fields) });
      if (partError || file.destroyed) throw partError ?? new Error('the file part was cut off');
      const meter = new Meter();
      await pipeline(file, meter, pending.stream);
      return { size: meter.size, sha256: meter.digest() };
    })();
    writing.catch(() => file.resume());
  });

  const discard = async () => {
    await writing?.catch(() => undefined);
    await pending?.abort();
  };

  try {
    await pipeline(req.body, bb);
  } catch (error) {
    await discard();
    throw bodyFailure(error);
  }
  if (refusal) {
    await discard();
    throw refusal;
  }
  if (!writing) {
    throw new HttpError(400, 'file_missing', `no file in the field '${FILE_FIELD}' (curl -F ${FILE_FIELD}=@path)`);
  }
  try {
    const facts = await writing;
    return await pending!.commit(facts);
  } catch (error) {
    await discard();
    throw storageFailure(error);
  }
}
