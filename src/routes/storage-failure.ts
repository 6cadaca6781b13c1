import { HttpError } from '../core/http-error.js';
import { isStorageError, type StorageError } from '../storage/errors.js';

/** Seconds a client is asked to wait when the storage cannot be reached. */
export const RETRY_AFTER_SECONDS = 5;

function fromStorageError(error: StorageError): HttpError {
  const options = { cause: error };
  switch (error.kind) {
    case 'not_found':
      return new HttpError(404, 'not_found', error.message, options);
    case 'invalid':
      return new HttpError(400, error.details?.field === 'user' ? 'invalid_user' : 'invalid_name', error.message, options);
    case 'conflict':
      return new HttpError(409, 'conflict', error.message, options);
    case 'locked':
      return new HttpError(423, 'locked', error.message, { ...options, headers: { 'retry-after': String(RETRY_AFTER_SECONDS) } });
    case 'precondition_failed':
      return new HttpError(412, 'precondition_failed', error.message, options);
    case 'quota': {
      const { used, allowed, unit } = error.details ?? {};
      return new HttpError(507, 'quota_exceeded', error.message, { ...options, details: { used, allowed, unit } });
    }
    case 'full':
      return new HttpError(507, 'insufficient_storage', error.message, options);
    case 'too_large':
      return new HttpError(413, 'too_large', error.message, options);
    case 'expired':
      return new HttpError(410, 'expired', error.message, options);
    // tus (the only protocol that sends chunk checksums) calls it 460 Checksum Mismatch.
    case 'checksum_mismatch':
      return new HttpError(460, 'checksum_mismatch', error.message, options);
    case 'unavailable':
      return new HttpError(503, 'storage_unavailable', `${error.message}; try again shortly`, { ...options, headers: { 'retry-after': String(RETRY_AFTER_SECONDS) } });
    case 'unwritable':
      return new HttpError(500, 'storage_unwritable', error.message, options);
    // The check is the route's own (a beforeCommit hook): its answer, as it gave it.
    case 'rejected':
      return error.cause instanceof HttpError ? error.cause : new HttpError(422, 'rejected_by_hook', error.message, options);
    case 'io':
      return new HttpError(500, 'storage_error', `${error.message}: nothing was stored`, options);
  }
}

/**
 * The one place where a storage failure becomes the answer a client can act on: StorageErrors by
 * their kind, and the errno a file system throws (ENOSPC, EIO…) for what the disk backend passes
 * through. HttpErrors pass unchanged.
 */
export function storageFailure(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (isStorageError(error)) return fromStorageError(error);
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new HttpError(507, 'insufficient_storage', `the server has no space left to store this file (${code}): nothing was stored; try again once space is freed`, { cause: error });
  }
  return new HttpError(500, 'storage_error', `the server could not store the file (${code ?? 'unknown error'}): nothing was stored`, { cause: error });
}

/** StorageErrors become their answer; anything else (a bug) is left for the core to log as a 500. */
export function mapStorageErrors(error: unknown): unknown {
  return isStorageError(error) ? fromStorageError(error) : error;
}
