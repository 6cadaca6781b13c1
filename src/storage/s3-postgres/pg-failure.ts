import { StorageError } from '../errors.js';

const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH',
  '57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006']);

/** A PostgreSQL failure as a StorageError: 'unavailable' when the server cannot be reached, 'io' otherwise. */
export function pgFailure(error: unknown, what: string): StorageError {
  if (error instanceof StorageError) return error;
  const code = (error as { code?: string } | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if ((code && UNREACHABLE.has(code)) || /Connection terminated|connect(ion)? (timeout|refused)|not queryable/i.test(message)) {
    return new StorageError('unavailable', `PostgreSQL cannot be reached (${what}): ${message}`, { cause: error });
  }
  return new StorageError('io', `PostgreSQL failed (${what}): ${message}`, { cause: error });
}
