import type { CoreRequest, CoreResponse } from './types.js';
import { BIDI_CONTROL } from '../text/bidi.js';
import { HttpError } from './http-error.js';

export type RouteParams = Record<string, string>;
export type RouteHandler = (req: CoreRequest, params: RouteParams) => Promise<CoreResponse>;

export interface Route {
  method: string;
  /** Segments: literals, `:name` for one segment, `*name` (last) for the rest of the path. */
  pattern: string;
  /** The audit trail's name for what this route does (upload, download, delete, share, ...). */
  action: string;
  /** Loads the handler; lazy so a CGI process only loads the code its request needs. */
  load: () => Promise<RouteHandler>;
}

interface Match {
  route: Route;
  params: RouteParams;
}

function decodeSegment(segment: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, 'bad_path', 'the request path is not valid percent-encoding');
  }
  // Nothing in bdfu's URLs is a dot segment (also not behind an encoded / or \\) or a control character.
  // eslint-disable-next-line no-control-regex
  if (decoded.split(/[/\\]/).some((part) => part === '.' || part === '..') || /[\u0000-\u001f\u007f-\u009f]/.test(decoded) || BIDI_CONTROL.test(decoded)) {
    throw new HttpError(400, 'bad_path', 'the request path has a dot segment (., .., %2e%2e, also behind %2f or \\), a control character or a bidirectional override');
  }
  return decoded;
}

function matchPattern(pattern: string, segments: string[]): RouteParams | undefined {
  const parts = pattern === '/' ? [] : pattern.replace(/^\//, '').split('/');
  const params: RouteParams = {};
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (part.startsWith('*')) {
      params[part.slice(1)] = segments.slice(i).join('/');
      return params;
    }
    const segment = segments[i];
    if (segment === undefined) return undefined;
    if (part.startsWith(':')) params[part.slice(1)] = segment;
    else if (part !== segment) return undefined;
  }
  return segments.length === parts.length ? params : undefined;
}

export function createRouter(routes: readonly Route[]) {
  return function route(method: string, path: string): Match {
    const segments = path === '/' ? [] : path.replace(/^\//, '').split('/').map(decodeSegment);
    const allowed = new Set<string>();
    for (const route of routes) {
      const params = matchPattern(route.pattern, segments);
      if (!params) continue;
      if (route.method === method || (method === 'HEAD' && route.method === 'GET')) return { route, params };
      allowed.add(route.method);
    }
    if (allowed.size > 0) {
      if (allowed.has('GET')) allowed.add('HEAD');
      const allow = [...allowed].sort().join(', ');
      throw new HttpError(405, 'method_not_allowed', `method ${method} is not allowed here; use ${allow}`, {
        headers: { allow },
      });
    }
    throw new HttpError(404, 'not_found', 'no such endpoint');
  };
}
