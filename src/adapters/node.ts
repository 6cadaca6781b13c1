import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { PassThrough } from 'node:stream';
import { createApp, type AppOptions } from '../assembly/app.js';
import { jsonResponse } from '../core/respond.js';
import type { CoreRequest, Handler } from '../core/types.js';
import { loadConfig } from '../config/load.js';
import type { Settings } from '../config/settings.js';
import { parseTrustedProxies, type TrustedProxies } from '../config/trusted-proxies.js';
import { requestOrigin } from './forwarded.js';
import { slashRedirect } from './slash-redirect.js';
import { writeBody } from './write-body.js';

/** Every header, repeats joined: Node would keep only the first Authorization and hide the rest. */
function headersOf(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, values] of Object.entries(req.headersDistinct)) {
    if (values !== undefined) headers[name] = values.join(', ');
  }
  return headers;
}

/** The request target as sent: URL parsing would quietly resolve `..` and `%2e%2e` segments. */
function splitTarget(target: string): { pathname: string; search: string } {
  const cut = target.search(/[?#]/);
  const pathname = cut < 0 ? target : target.slice(0, cut);
  const search = cut < 0 || target[cut] === '#' ? '' : target.slice(cut + 1).replace(/#.*$/, '');
  if (pathname.startsWith('/')) return { pathname, search };
  // absolute-form (a proxy request) or `*`
  try {
    const url = new URL(target);
    return { pathname: url.pathname, search: url.search.slice(1) };
  } catch {
    return { pathname: '/', search };
  }
}

/** Splits the mount point off a request path; undefined when the path lies outside it. */
export function pathBelow(basePath: string, pathname: string): string | undefined {
  if (basePath === '/') return pathname;
  if (pathname === basePath.slice(0, -1)) return '/';
  return pathname.startsWith(basePath) ? pathname.slice(basePath.length - 1) : undefined;
}

/** The body stream the core reads, per request: see `bodyCutShort`. */
const bodies = new WeakMap<IncomingMessage, PassThrough>();

/**
 * Fails the body the core is reading when Node's parser gives up on the request (the client
 * stopped sending early): Node would otherwise leave it waiting, or destroy the connection the
 * answer must go back on.
 */
export function bodyCutShort(req: IncomingMessage, reason: string): void {
  const body = bodies.get(req);
  if (body && !body.writableEnded && !body.destroyed) {
    req.unpipe(body);
    body.destroy(Object.assign(new Error(`the request body was cut short (${reason})`), { code: reason }));
  }
}

function bodyOf(req: IncomingMessage): PassThrough {
  const body = new PassThrough({ highWaterMark: 64 * 1024 });
  req.on('error', (error) => body.destroy(error));
  req.on('aborted', () => bodyCutShort(req, 'aborted'));
  req.pipe(body);
  // It may fail before the handler reads it; the handler finds `errored` set then.
  body.on('error', () => undefined);
  bodies.set(req, body);
  return body;
}

export function toCoreRequest(req: IncomingMessage, res: ServerResponse, settings: Settings, trusted: TrustedProxies): CoreRequest | undefined {
  const url = splitTarget(req.url ?? '/');
  const path = pathBelow(settings.basePath, url.pathname);
  if (path === undefined) return undefined;
  const encrypted = 'encrypted' in req.socket && Boolean(req.socket.encrypted);
  const headers = headersOf(req);
  const direct = { protocol: encrypted ? 'https' : 'http', host: req.headers.host ?? `${settings.host}:${settings.port}` } as const;
  const origin = requestOrigin(req.socket.remoteAddress ?? '', headers, direct, trusted);
  const expectsContinue = /100-continue/i.test(req.headers.expect ?? '');
  return {
    method: req.method ?? 'GET',
    path,
    query: new URLSearchParams(url.search),
    headers,
    body: bodyOf(req),
    remoteAddress: origin.remoteAddress,
    baseUrl: `${origin.protocol}://${origin.host}${settings.basePath}`,
    acceptBody: expectsContinue ? once(() => res.writeContinue()) : undefined,
  };
}

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (!done) {
      done = true;
      fn();
    }
  };
}

/** How long a client that is still sending gets to read a refusal before its connection is closed. */
const UNREAD_BODY_GRACE_MS = 2000;

export function nodeListener(app: Handler, settings: Settings): RequestListener {
  const trusted = parseTrustedProxies(settings.trustedProxies);
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://placeholder');
    const redirect = slashRedirect(req.method ?? 'GET', settings.basePath.slice(0, -1), url.pathname, url.search);
    if (redirect) {
      res.writeHead(redirect.status, redirect.headers).end();
      return;
    }
    const coreRequest = toCoreRequest(req, res, settings, trusted);
    const responding = coreRequest
      ? app(coreRequest)
      : Promise.resolve(jsonResponse(404, { error: `bdfu is mounted at ${settings.basePath}`, code: 'not_found' }));
    responding
      .then(async (response) => {
        // A refusal before the body was read: answer now, then close instead of reading the rest.
        res.writeHead(response.status, response.headers);
        await writeBody(response.body, res);
        // A refusal before the whole body arrived: the client reads it while still sending, so
        // the rest is read and dropped for a moment (closing at once could lose the answer), then the connection is cut.
        if (!req.complete) {
          const body = bodies.get(req);
          if (body) req.unpipe(body);
          req.resume();
          const cut = setTimeout(() => req.socket.destroy(), UNREAD_BODY_GRACE_MS);
          cut.unref();
          req.once('end', () => clearTimeout(cut));
        }
      })
      .catch(() => res.destroy());
  };
}

export type HandlerConfig = Partial<Settings> & Pick<Settings, 'storageDir'>;

/**
 * The library face: a `(req, res)` listener to mount in your own Node server.
 * Settings are validated as the configuration file's would be; the environment is not read.
 */
export function createHandler(config: HandlerConfig, options: AppOptions = {}): RequestListener {
  const { settings } = loadConfig({ env: {}, overrides: config });
  return nodeListener(createApp(settings, options), settings);
}
