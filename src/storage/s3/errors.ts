import type { IncomingMessage } from 'node:http';
import { StorageError } from '../errors.js';
import { xmlText } from './xml.js';

/** Network failures that mean "S3 is not there now" rather than "this request was wrong". */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED', 'UND_ERR_SOCKET']);

/** A request that never got an answer: the endpoint is down, unreachable, or cut the connection. */
export function s3Unreachable(endpoint: string, error: unknown): StorageError {
  const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  const kind = UNREACHABLE.has(code) || /socket hang up|timed out/i.test(String((error as Error).message)) ? 'unavailable' : 'io';
  return new StorageError(kind, `S3 at ${endpoint} cannot be reached (${code})`, { cause: error });
}

async function bodyText(response: IncomingMessage, limit = 64 * 1024): Promise<string> {
  let text = '';
  try {
    for await (const chunk of response) {
      if (text.length < limit) text += (chunk as Buffer).toString('utf8');
    }
  } catch {
    // Cut off: what arrived is enough to say what went wrong.
  }
  return text.slice(0, limit);
}

/** An S3 error answer as a StorageError naming the operation, the S3 code and where. */
export async function s3Failure(response: IncomingMessage, operation: string, where: string): Promise<StorageError> {
  const text = await bodyText(response);
  return s3ErrorFrom(response.statusCode ?? 0, text, operation, where);
}

export function s3ErrorFrom(status: number, text: string, operation: string, where: string): StorageError {
  const code = xmlText(text, 'Code') ?? `HTTP ${status}`;
  const message = xmlText(text, 'Message');
  const kind = status === 404 && code !== 'NoSuchBucket' ? 'not_found'
    : status === 507 || code === 'InsufficientStorage' ? 'full'
    : status >= 500 || status === 429 ? 'unavailable'
    : 'io';
  return new StorageError(kind, `${operation} failed at ${where}: ${code}${message ? ` (${message})` : ''}`, { details: { status, code } });
}
