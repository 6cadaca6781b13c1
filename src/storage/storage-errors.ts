import { HttpError } from '../core/http-error.js';
import { QuotaExceededError } from './store.js';

/** Turns a failure of the disk (or object store) into the response a client can act on. */
export function storageFailure(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof QuotaExceededError) {
    return new HttpError(507, 'quota_exceeded', error.message, { details: { used: error.used, allowed: error.allowed, unit: error.unit }, cause: error });
  }
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new HttpError(507, 'insufficient_storage', 'the server has no space left to store this file (ENOSPC): nothing was stored; try again once space is freed', { cause: error });
  }
  return new HttpError(500, 'storage_error', `the server could not store the file (${code ?? 'unknown error'}): nothing was stored`, { cause: error });
}
