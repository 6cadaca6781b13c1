import { HttpError } from '../../core/http-error.js';
import { isStorageError } from '../../storage/errors.js';
import { storageFailure } from '../../storage/storage-errors.js';
import { tusResumable } from './protocol.js';

/** A failure as the tus answer says it: the status the spec asks for, and Tus-Resumable as on every answer. */
export function tusFailure(error: unknown): HttpError {
  const failure = isStorageError(error) ? sessionFailure(error.kind, error.message, error.details) : storageFailure(error);
  return new HttpError(failure.status, failure.code, failure.message, {
    headers: { ...failure.headers, ...tusResumable },
    ...(failure.details ? { details: failure.details } : {}),
    cause: error,
  });
}

function sessionFailure(kind: string, message: string, details: Record<string, unknown> | undefined): HttpError {
  const options = details ? { details } : {};
  switch (kind) {
    case 'not_found': return new HttpError(404, 'upload_not_found', 'no such upload', options);
    case 'expired': return new HttpError(410, 'upload_expired', 'this upload expired: start a new one', options);
    case 'conflict': return new HttpError(409, 'upload_conflict', message, options);
    case 'locked': return new HttpError(423, 'upload_locked', 'another request is writing to this upload; ask for its offset (HEAD) and try again', { ...options, headers: { 'retry-after': '1' } });
    case 'too_large': return new HttpError(413, 'too_large', message, options);
    case 'quota': return new HttpError(507, 'quota_exceeded', message, options);
    case 'checksum_mismatch': return new HttpError(460, 'checksum_mismatch', 'the chunk does not match its Upload-Checksum: it was discarded, the offset is unchanged', options);
    case 'full': return new HttpError(507, 'insufficient_storage', 'the server has no space left for this upload; try again once space is freed', options);
    case 'unavailable': return new HttpError(503, 'storage_unavailable', 'the storage cannot be reached now; try again shortly', { ...options, headers: { 'retry-after': '5' } });
    default: return new HttpError(500, 'storage_error', `the server could not store the upload: ${message}`, options);
  }
}
