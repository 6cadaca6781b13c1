import type { CoreResponse } from './types.js';
import { HttpError } from './http-error.js';

export function jsonResponse(status: number, value: unknown, headers: Record<string, string> = {}): CoreResponse {
  const body = JSON.stringify(value) + '\n';
  return {
    status,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(Buffer.byteLength(body)),
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      ...headers,
    },
    body,
  };
}

/** The single place where a failure becomes an HTTP response. */
export function errorResponse(error: unknown, log: (error: unknown) => void): CoreResponse {
  if (error instanceof HttpError) {
    // A server-side problem's detail is for the operator's log, not for the client.
    if (error.status >= 500 && typeof error.cause === 'string') log(error.cause);
    return jsonResponse(error.status, { error: error.message, code: error.code, ...error.details }, error.headers);
  }
  log(error);
  return jsonResponse(500, { error: 'internal server error', code: 'internal_error' });
}
