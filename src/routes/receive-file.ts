import busboy from 'busboy';
import type { Readable } from 'node:stream';
import { HttpError } from '../core/http-error.js';
import type { CoreRequest } from '../core/types.js';
import { storageFailure } from './storage-failure.js';
import type { FileRecord, PendingWrite, Reservation, Store, UploadMeta } from '../storage/store.js';
import { ByteLimit } from './byte-limit.js';
import { fileNameProblem } from './file-name.js';
import { Meter } from './meter.js';
import { pipeInto } from './pipe-into.js';

export const FILE_FIELD = 'file';

/** What one multipart upload may hold. */
export interface FormLimits {
  /** Largest body, in bytes: more is 413 too_large. */
  maxBodyBytes: number;
  maxFileNameBytes: number;
  maxFields: number;
  maxParts: number;
  maxFieldBytes: number;
  maxPartHeaderPairs: number;
}

export interface ReceiveOptions {
  limits: FormLimits;
  /** Room held against the quota: a body beyond it is 507 quota_exceeded. */
  reservation?: Reservation;
  /** More metadata for the file, from the text fields sent before the file part; may throw an HttpError to refuse. */
  extraMeta?: (fields: ReadonlyMap<string, string>) => Partial<UploadMeta> | Promise<Partial<UploadMeta>>;
  /** Runs once every byte is written, before the file becomes visible; a throw discards the upload. */
  beforeCommit?: (written: WrittenUpload) => Promise<void>;
}

/** A finished upload not yet committed: what a beforeCommit hook is shown. */
export interface WrittenUpload {
  name: string;
  type: string;
  size: number;
  sha256: string;
  /** The finished temporary file, when the store keeps one on disk. */
  path?: string;
}

export const tooLarge = (limit: number) =>
  new HttpError(413, 'too_large', `the upload is larger than the ${limit} bytes allowed`, { details: { allowed: limit } });

function parser(req: CoreRequest, limits: FormLimits): busboy.Busboy {
  const contentType = req.headers['content-type'] ?? '';
  if (!/^multipart\/form-data\b/i.test(contentType)) {
    throw new HttpError(415, 'not_multipart', `send the file as multipart/form-data in the field '${FILE_FIELD}' (curl -F ${FILE_FIELD}=@path)`);
  }
  try {
    return busboy({
      headers: req.headers,
      defParamCharset: 'utf8',
      // The raw name, so a name with a path in it is refused rather than silently cut.
      preservePath: true,
      limits: {
        fieldNameSize: 200,
        fieldSize: limits.maxFieldBytes,
        fields: limits.maxFields,
        parts: limits.maxParts,
        headerPairs: limits.maxPartHeaderPairs,
        fileSize: limits.maxBodyBytes,
      },
    });
  } catch (error) {
    throw new HttpError(400, 'bad_multipart', `the multipart body cannot be parsed: ${(error as Error).message}`);
  }
}

function bodyFailure(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  return new HttpError(400, 'body_incomplete', `the request body ended early or is malformed: ${(error as Error).message}`);
}

function bodyLimit(options: ReceiveOptions): ByteLimit {
  const limit = options.limits.maxBodyBytes;
  const room = options.reservation?.bytes ?? Infinity;
  return new ByteLimit(Math.min(limit, room), (count) =>
    count > limit || room >= limit
      ? tooLarge(limit)
      : new HttpError(507, 'quota_exceeded', `quota exceeded: this upload went past the ${room} bytes left of ${options.reservation!.user}'s quota`, {
          details: { allowed: room, unit: 'bytes' },
        }));
}

/**
 * Streams the one `file` part of a multipart body into the store. The file becomes visible
 * only after the whole body was read and parsed; any failure leaves nothing behind.
 */
export async function receiveFile(req: CoreRequest, store: Store, user: string, options: ReceiveOptions): Promise<FileRecord> {
  const { limits } = options;
  const bb = parser(req, limits);
  const fields = new Map<string, string>();
  bb.on('field', (name: string, value: string) => {
    if (!fields.has(name)) fields.set(name, value);
  });
  let pending: PendingWrite | undefined;
  let meta: UploadMeta | undefined;
  let writing: Promise<{ size: number; sha256: string }> | undefined;
  let refusal: HttpError | undefined;
  const refuse = (error: HttpError) => (refusal ??= error);

  bb.on('partsLimit', () => refuse(new HttpError(413, 'too_many_parts', `the upload has more than ${limits.maxParts} parts`)));
  bb.on('fieldsLimit', () => refuse(new HttpError(413, 'too_many_fields', `the upload has more than ${limits.maxFields} form fields`)));
  bb.on('field', (_name: string, _value: string, info: busboy.FieldInfo) => {
    if (info.nameTruncated || info.valueTruncated) {
      refuse(new HttpError(413, 'field_too_large', `a form field is larger than ${limits.maxFieldBytes} bytes`));
    }
  });
  bb.on('file', (field: string, file: Readable, info: busboy.FileInfo) => {
    if (field !== FILE_FIELD) {
      file.resume();
      return;
    }
    const nameProblem = fileNameProblem(info.filename ?? '', limits.maxFileNameBytes);
    if (writing || nameProblem || refusal) {
      if (writing) refuse(new HttpError(400, 'multiple_files', `send exactly one file in the field '${FILE_FIELD}'`));
      if (nameProblem) refuse(new HttpError(400, 'bad_file_name', `the file name ${nameProblem}`));
      file.resume();
      return;
    }
    // busboy may fail the part (body ended early) while the store is still opening the file.
    let partError: Error | undefined;
    file.on('error', (error) => (partError ??= error));
    file.on('limit', () => (partError ??= tooLarge(limits.maxBodyBytes)));
    writing = (async () => {
      meta = { name: info.filename || 'upload', type: info.mimeType || 'application/octet-stream', ...(await options.extraMeta?.(fields)) };
      pending = await store.begin(user, meta, options.reservation);
      if (partError || file.destroyed) throw partError ?? new Error('the file part was cut off');
      // Not pipeline(file, ...): a failing disk would destroy the part, and busboy would wait
      // forever for it to be read; it must be drained instead, so the body can be read to its end.
      const meter = new Meter();
      file.on('error', (error) => meter.destroy(error));
      file.pipe(meter);
      try {
        await pipeInto(meter, pending.stream);
      } catch (error) {
        file.unpipe(meter);
        file.resume();
        throw error;
      }
      // busboy cuts a file at its size limit and says so only here: never keep a short file.
      if (partError || (file as Readable & { truncated?: boolean }).truncated) throw partError ?? tooLarge(limits.maxBodyBytes);
      return { size: meter.size, sha256: meter.digest() };
    })();
    writing.catch(() => file.resume());
  });

  const discard = async () => {
    await writing?.catch(() => undefined);
    await pending?.abort();
  };

  // Not pipeline(req.body, ...): on failure it would destroy the request, and with it the
  // connection the refusal must go back on. The adapter decides what to do with the rest.
  // A body that failed before anyone read it (stdin closed early under CGI) never emits again.
  if (req.body.errored) {
    await options.reservation?.release();
    throw bodyFailure(req.body.errored);
  }
  const limit = bodyLimit(options);
  const forwardError = (error: Error) => limit.destroy(error);
  req.body.on('error', forwardError);
  req.body.pipe(limit);
  try {
    await pipeInto(limit, bb);
  } catch (error) {
    req.body.unpipe(limit);
    await discard();
    throw bodyFailure(error);
  }
  req.body.off('error', forwardError);
  if (refusal) {
    await discard();
    throw refusal;
  }
  if (!writing) {
    throw new HttpError(400, 'file_missing', `no file in the field '${FILE_FIELD}' (curl -F ${FILE_FIELD}=@path)`);
  }
  try {
    const facts = await writing;
    if (options.beforeCommit) {
      const path = pending!.path;
      await options.beforeCommit({ name: meta!.name, type: meta!.type, ...facts, ...(path !== undefined ? { path } : {}) });
    }
    return await pending!.commit(facts);
  } catch (error) {
    await discard();
    throw storageFailure(error);
  }
}
