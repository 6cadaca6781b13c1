import { HttpError } from '../../core/http-error.js';
import { storageFailure } from '../storage-failure.js';
import { tusResumable } from './protocol.js';

/**
 * A failure as a tus answer says it: the status chosen in the one place (storage-failure.ts:
 * 409 conflict, 410 expired, 423 locked, 460 checksum_mismatch, ...), plus Tus-Resumable, as on
 * every tus answer.
 */
export function tusFailure(error: unknown): HttpError {
  const failure = storageFailure(error);
  return new HttpError(failure.status, failure.code, failure.message, {
    headers: { ...failure.headers, ...tusResumable },
    ...(failure.details ? { details: failure.details } : {}),
    cause: failure.cause ?? error,
  });
}
