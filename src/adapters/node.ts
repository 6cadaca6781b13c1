import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { createApp, type AppOptions } from '../core/app.js';
import { jsonResponse } from '../core/respond.js';
import type { CoreRequest, Handler } from '../core/types.js';
import { loadConfig } from '../config/load.js';
import type { Settings } from '../config/settings.js';
import { parseTrustedProxies, type TrustedProxies } from '../config/trusted-proxies.js';
import { requestOrigin } from './forwarded.js';
import { slashRedirect } from './slash-redirect.js';
import { writeBody } from './write-body.js';

function headersOf(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

/** Splits the mount point off a request path; undefined when the path lies outside it. */
export function pathBelow(basePath: string, pathname: string): string | undefined {
  if (basePath === '/') return pathname;
  if (pathname === basePath.slice(0, -1)) return '/';
  return pathname.startsWith(basePath) ? pathname.slice(basePath.length - 1) : undefined;
}

export function toCoreRequest(req: IncomingMessage, res: ServerResponse, settings: Settings, trusted: TrustedProxies): CoreRequest | undefined {
  const url = new URL(req.url ?? '/', 'http://placeholder');
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
    query: url.searchParams,
    headers,
    body: req,
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
        res.writeHead(response.status, response.headers);
        await writeBody(response.body, res);
      })
      .catch(() => res.destroy());
  };
}

export type HandlerConfig = Partial<Settings> & Pick<Settings, 'jwtSecretKey' | 'storageDir'>;

/**
 * The library face: a `(req, res)` listener to mount in your own Node server.
 * Settings are validated as the configuration file's would be; the environment is not read.
 */
export function createHandler(config: HandlerConfig, options: AppOptions = {}): RequestListener {
  const { settings } = loadConfig({ env: {}, overrides: config });
  return nodeListener(createApp(settings, options), settings);
}
