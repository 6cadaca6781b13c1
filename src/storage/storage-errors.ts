import { HttpError } from '../core/http-error.js';
import { isStorageError } from './errors.js';
import { QuotaExceededError } from './store.js';

/** Interim, until routes/storage-failure.ts (issue-13-seam) takes over: an outage is 503 with Retry-After. */
export function unavailableFailure(error: unknown): HttpError | undefined {
  if (!isStorageError(error, 'unavailable')) return undefined;
  return new HttpError(503, 'storage_unavailable', `${error.message}; try again shortly`, { headers: { 'retry-after': '5' }, cause: error });
}

/** Turns a failure of the disk (or object store) into the response a client can act on. */
export function storageFailure(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  const unavailable = unavailableFailure(error);
  if (unavailable) return unavailable;
  if (error instanceof QuotaExceededError) {
    return new HttpError(507, 'quota_exceeded', error.message, { details: { used: error.used, allowed: error.allowed, unit: error.unit }, cause: error });
  }
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new HttpError(507, 'insufficient_storage', 'the server has no space left to store this file (ENOSPC): nothing was stored; try again once space is freed', { cause: error });
  }
  return new HttpError(500, 'storage_error', `the server could not store the file (${code ?? 'unknown error'}): nothing was stored`, { cause: error });
}
