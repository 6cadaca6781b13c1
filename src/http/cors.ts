import type { CoreRequest, CoreResponse } from '../core/types.js';
import type { CorsOrigins } from '../config/cors-origins.js';

/** What a browser app on another origin may send: the bearer token, the body's type, the tus headers. */
const ALLOWED_HEADERS = [
  'Authorization', 'Content-Type', 'Tus-Resumable', 'Upload-Length', 'Upload-Offset', 'Upload-Metadata',
  'Upload-Defer-Length', 'Upload-Concat', 'Upload-Checksum', 'X-HTTP-Method-Override', 'X-Requested-With',
  'Range', 'If-Match', 'If-None-Match', 'If-Modified-Since',
].join(', ');

const ALLOWED_METHODS = 'GET, HEAD, POST, PATCH, PUT, DELETE, OPTIONS';

/** What its scripts may read of an answer. */
const EXPOSED_HEADERS = [
  'Location', 'Upload-Offset', 'Upload-Length', 'Upload-Defer-Length', 'Upload-Metadata', 'Upload-Concat',
  'Upload-Expires', 'Upload-File-Location', 'Tus-Resumable', 'Tus-Version', 'Tus-Extension', 'Tus-Max-Size',
  'Tus-Checksum-Algorithm', 'ETag', 'Content-Range', 'Content-Disposition', 'Accept-Ranges', 'Retry-After',
  'WWW-Authenticate', 'Content-Length', 'Last-Modified',
].join(', ');

const PREFLIGHT_MAX_AGE_SECONDS = 600;

function withVary(headers: Record<string, string>, name: string): string {
  const vary = headers['vary'];
  return vary ? (vary.split(/\s*,\s*/).some((v) => v.toLowerCase() === name.toLowerCase()) ? vary : `${vary}, ${name}`) : name;
}

/**
 * The one CORS policy (CORS_ORIGINS), for every endpoint: preflights are answered here, before
 * routing and without a token; answers to allowed origins say so. Credentials (cookies, HTTP
 * authentication the browser adds by itself) are never allowed: bdfu's tokens travel in
 * `Authorization`, set by the page's script.
 */
export class CorsPolicy {
  constructor(private readonly allowed: CorsOrigins | undefined) {}

  get enabled(): boolean {
    return this.allowed !== undefined && (this.allowed.any || this.allowed.origins.size > 0);
  }

  private allowOrigin(origin: string | undefined): string | undefined {
    if (!this.enabled || origin === undefined) return undefined;
    if (this.allowed!.any) return '*';
    return this.allowed!.origins.has(origin.toLowerCase()) ? origin : undefined;
  }

  /** The answer to a CORS preflight (OPTIONS with Origin and Access-Control-Request-Method), or undefined. */
  preflight(req: CoreRequest): CoreResponse | undefined {
    if (!this.enabled || req.method !== 'OPTIONS') return undefined;
    const origin = req.headers['origin'];
    if (origin === undefined || req.headers['access-control-request-method'] === undefined) return undefined;
    const allow = this.allowOrigin(origin);
    const headers: Record<string, string> = { 'cache-control': 'no-store', 'content-length': '0' };
    if (!this.allowed!.any) headers['vary'] = 'Origin';
    if (allow === undefined) return { status: 204, headers };
    return {
      status: 204,
      headers: {
        ...headers,
        'access-control-allow-origin': allow,
        'access-control-allow-methods': ALLOWED_METHODS,
        'access-control-allow-headers': ALLOWED_HEADERS,
        'access-control-max-age': String(PREFLIGHT_MAX_AGE_SECONDS),
      },
    };
  }

  /** The response, with the CORS headers its request's origin is allowed. */
  decorate(req: CoreRequest, response: CoreResponse): CoreResponse {
    if (!this.enabled) return response;
    const headers = { ...response.headers };
    if (!this.allowed!.any) headers['vary'] = withVary(headers, 'Origin');
    const allow = this.allowOrigin(req.headers['origin']);
    if (allow !== undefined) {
      headers['access-control-allow-origin'] = allow;
      headers['access-control-expose-headers'] = EXPOSED_HEADERS;
    }
    return { ...response, headers };
  }
}
