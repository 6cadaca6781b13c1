import { HttpError } from './http-error.js';
import type { CoreRequest } from './types.js';

/** Where a POST that missed most likely meant to upload. */
const NEAR_UPLOAD = new Set(['/', '/upload/', '/files', '/files/']);

/** A POST to the endpoint, `upload/` or `files` matched no route: say where uploads go. */
export function withUploadHint(error: unknown, req: Pick<CoreRequest, 'method' | 'path' | 'baseUrl'>): unknown {
  if (!(error instanceof HttpError) || req.method !== 'POST' || !NEAR_UPLOAD.has(req.path)) return error;
  if (error.code !== 'not_found' && error.code !== 'method_not_allowed') return error;
  return new HttpError(error.status, error.code, `${error.message}; uploads go to POST ${req.baseUrl}upload`, { headers: error.headers, details: error.details });
}
