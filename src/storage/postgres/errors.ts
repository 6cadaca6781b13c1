import { StorageError } from '../errors.js';

/** Connection-level failures: PostgreSQL is down, restarting, or cut the connection. */
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** PostgreSQL's SQLSTATE classes 08 (connection), 57P (operator intervention: shutdown, restart), 53 (resources). */
const UNAVAILABLE_STATE = /^(08|57P|53)/;

export function isUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (NETWORK.has(code) || UNAVAILABLE_STATE.test(code))) return true;
  return /Connection terminated|connection timeout|Client has encountered a connection error|timeout exceeded when trying to connect|the database system is (starting up|shutting down|in recovery mode)/i
    .test(String((error as Error)?.message));
}

/** A failure talking to PostgreSQL as a StorageError: 'unavailable' for an outage, else 'io'. */
export function postgresFailure(error: unknown, where: string): StorageError {
  if (error instanceof StorageError) return error;
  const code = (error as { code?: string }).code;
  const detail = `${(error as Error)?.message ?? String(error)}${code ? ` (${code})` : ''}`;
  return new StorageError(isUnavailable(error) ? 'unavailable' : 'io',
    isUnavailable(error) ? `PostgreSQL at ${where} cannot be reached: ${detail}` : `PostgreSQL at ${where} failed: ${detail}`, { cause: error });
}

/** The host, port and database of a DATABASE_URL, never its password: for messages. */
export function describeDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname || 'localhost'}:${parsed.port || 5432}${parsed.pathname || '/'}`;
  } catch {
    return '(an unparsable DATABASE_URL)';
  }
}
