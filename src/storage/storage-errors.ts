import { HttpError } from '../core/http-error.js';

/** Turns a failure of the disk (or object store) into the response a client can act on. */
export function storageFailure(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new HttpError(507, 'insufficient_storage', 'the server has no space left to store this file', { cause: error });
  }
  return new HttpError(500, 'storage_error', `the server could not store the file (${code ?? 'unknown error'})`, { cause: error });
}
