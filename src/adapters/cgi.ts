import type { Readable, Writable } from 'node:stream';
import { HttpError } from '../core/http-error.js';
import { errorResponse } from '../core/respond.js';
import type { CoreRequest, CoreResponse, Handler } from '../core/types.js';
import { ExactLength } from './body-limit.js';
import { slashRedirect } from './slash-redirect.js';
import { writeBody } from './write-body.js';
import { STATUS_TEXT } from '../http/status-text.js';

export type CgiEnv = Record<string, string | undefined>;

/** Request headers from the CGI meta-variables (RFC 3875 §4.1.18). */
export function cgiHeaders(env: CgiEnv): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('HTTP_') || value === undefined) continue;
    // httpoxy: a client's `Proxy:` header arrives as HTTP_PROXY and must mean nothing.
    if (name === 'HTTP_PROXY') continue;
    headers[name.slice(5).toLowerCase().replace(/_/g, '-')] = value;
  }
  if (env.CONTENT_TYPE) headers['content-type'] = env.CONTENT_TYPE;
  if (env.CONTENT_LENGTH) headers['content-length'] = env.CONTENT_LENGTH;
  // Apache passes Authorization only when told to; after an internal redirect it is REDIRECT_-prefixed.
  // The rewrite trick sets it empty when the client sent none: that is "absent".
  delete headers['authorization'];
  const authorization = env.HTTP_AUTHORIZATION || env.REDIRECT_HTTP_AUTHORIZATION;
  if (authorization) headers['authorization'] = authorization;
  return headers;
}

function contentLength(env: CgiEnv): number | undefined {
  const raw = env.CONTENT_LENGTH;
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d{1,15}$/.test(raw)) throw new HttpError(400, 'bad_content_length', `CONTENT_LENGTH is not a byte count: ${JSON.stringify(raw.slice(0, 40))}`);
  return Number(raw);
}

function encodePath(pathInfo: string | undefined): string {
  if (!pathInfo) return '/';
  if (!pathInfo.isWellFormed()) throw new HttpError(400, 'bad_path', 'PATH_INFO is not well-formed Unicode');
  const withSlash = pathInfo.startsWith('/') ? pathInfo : `/${pathInfo}`;
  return withSlash.split('/').map((segment) => encodeURIComponent(segment)).join('/');
}

function decodedOrUndefined(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

const WEBFINGER_PATH = '/.well-known/webfinger';

/**
 * The mount point as the client saw it. Usually SCRIPT_NAME; but when a rewrite maps a pretty
 * URL onto the script (`/files/upload` → `/files/bdfu.cgi/upload`), the client's path is
 * REQUEST_URI, and the mount is what precedes PATH_INFO in it.
 */
export function mountPath(env: CgiEnv): string {
  const script = (env.SCRIPT_NAME ?? '').replace(/\/+$/, '');
  const requested = (env.REQUEST_URI ?? '').split('?')[0]!;
  // WebFinger is asked at the host's root whatever the mount (apache/ rewrites it to bdfu): there
  // the client's path says nothing of where bdfu is mounted, and SCRIPT_NAME does.
  if (!requested.startsWith('/') || requested === WEBFINGER_PATH) return script;
  const info = (env.PATH_INFO ?? '').split('/').slice(1);
  const segments = requested.split('/');
  const mount = segments.slice(0, segments.length - info.length);
  const tail = segments.slice(mount.length).map(decodedOrUndefined);
  if (mount.length === 0 || tail.some((segment, i) => segment !== info[i])) return script;
  return mount.join('/').replace(/\/+$/, '');
}

function baseUrl(env: CgiEnv): string {
  const https = (env.HTTPS ?? '').toLowerCase() === 'on' || env.REQUEST_SCHEME === 'https';
  const port = env.SERVER_PORT && env.SERVER_PORT !== (https ? '443' : '80') ? `:${env.SERVER_PORT}` : '';
  const host = env.HTTP_HOST || `${env.SERVER_NAME ?? 'localhost'}${port}`;
  return `${https ? 'https' : 'http'}://${host}${mountPath(env)}/`;
}

/** Builds the core request from RFC 3875 meta-variables; the body is stdin, cut to CONTENT_LENGTH. */
export function cgiRequest(env: CgiEnv, stdin: Readable): CoreRequest {
  if (!env.REQUEST_METHOD) throw new HttpError(400, 'bad_cgi_request', 'REQUEST_METHOD is not set: this program must be run by a web server as a CGI script');
  const length = contentLength(env);
  const body = length === undefined ? stdin : stdin.pipe(new ExactLength(length));
  if (length !== undefined) {
    stdin.on('error', (error) => body.destroy(error));
    // A short body fails the stream while the core may still be checking the token; whoever
    // reads the body later sees the failure, so it must not also crash the process here.
    body.on('error', () => undefined);
  }
  return {
    method: env.REQUEST_METHOD.toUpperCase(),
    path: encodePath(env.PATH_INFO),
    query: new URLSearchParams(env.QUERY_STRING ?? ''),
    headers: cgiHeaders(env),
    body,
    remoteAddress: env.REMOTE_ADDR ?? '',
    baseUrl: baseUrl(env),
  };
}

/** Reads whatever the handler left of the body: under mod_cgid, answering first stalls the client. */
function drain(body: Readable): Promise<void> {
  if (body.readableEnded || body.destroyed || (body as { isTTY?: boolean }).isTTY) return Promise.resolve();
  return new Promise((resolve) => {
    body.on('end', resolve).on('error', () => resolve()).on('close', resolve);
    body.resume();
  });
}

export function cgiHead(response: CoreResponse): string {
  const lines = [`Status: ${response.status} ${STATUS_TEXT[response.status] ?? ''}`.trimEnd()];
  for (const [name, value] of Object.entries(response.headers)) {
    lines.push(`${name}: ${value.replace(/[\r\n]+/g, ' ')}`);
  }
  return lines.join('\r\n') + '\r\n\r\n';
}

/** Serves exactly one CGI request: env + stdin in, a CGI response on stdout. */
export async function serveCgi(app: Handler, env: CgiEnv, stdin: Readable, stdout: Writable, log: (e: unknown) => void): Promise<void> {
  let request: CoreRequest | undefined;
  let response: CoreResponse;
  try {
    request = cgiRequest(env, stdin);
    const script = (env.SCRIPT_NAME ?? '').replace(/\/+$/, '');
    const bare = env.PATH_INFO ? undefined : slashRedirect(request.method, script, script, env.QUERY_STRING ? `?${env.QUERY_STRING}` : '');
    response = bare ?? (await app(request));
  } catch (error) {
    response = errorResponse(error, log);
  }
  await drain(request?.body ?? stdin);
  stdout.write(cgiHead(response));
  await writeBody(response.body, stdout);
}
