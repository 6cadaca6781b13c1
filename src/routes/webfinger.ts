import { HttpError } from '../core/http-error.js';
import type { RouteHandler } from '../core/router.js';
import type { CoreResponse } from '../core/types.js';
import { userNameProblem } from '../storage/user-name.js';

/** The draft this server follows (draft-dejong-remotestorage-26, December 2025). */
export const STORAGE_API_VERSION = 'draft-dejong-remotestorage-26';
const CURRENT_REL = 'http://tools.ietf.org/id/draft-dejong-remotestorage';
/** What clients of the -00 and -01 drafts look for. */
const OLD_REL = 'remotestorage';

/** `acct:<user>@<host>` → the user; undefined for other resources (RFC 7033 §4.2, RFC 7565). */
function accountOf(resource: string): string | undefined {
  const match = /^acct:(.+)@[^@]+$/i.exec(resource);
  if (!match) return undefined;
  let user: string;
  try {
    user = decodeURIComponent(match[1]!);
  } catch {
    return undefined;
  }
  return userNameProblem(user) === undefined ? user : undefined;
}

function links(endpoint: string, user: string) {
  const href = `${endpoint}storage/${encodeURIComponent(user)}`;
  const dialog = `${endpoint}oauth/${encodeURIComponent(user)}`;
  return [
    {
      rel: CURRENT_REL,
      href,
      properties: {
        'http://remotestorage.io/spec/version': STORAGE_API_VERSION,
        'http://tools.ietf.org/html/rfc6749#section-4.2': dialog,
        'http://tools.ietf.org/html/rfc6749#section-4.1': dialog,
        'http://tools.ietf.org/html/rfc6749#section-3.2': `${endpoint}token`,
        'http://tools.ietf.org/html/rfc6750#section-2.3': 'true',
        'http://tools.ietf.org/html/rfc7233': 'GET',
        'http://remotestorage.io/spec/web-authoring': null,
      },
    },
    { rel: OLD_REL, href, type: 'draft-dejong-remotestorage-01', properties: { 'auth-method': 'http://tools.ietf.org/html/rfc6749#section-4.2', 'auth-endpoint': dialog } },
  ];
}

/**
 * GET /.well-known/webfinger?resource=acct:<user>@<host> (RFC 7033): where the user's
 * remoteStorage is and where apps ask for a token. Every valid user name has a storage (people
 * with a token and no account too), so every one is answered. `rel` filters the links (§4.3).
 */
export function createWebFingerHandler(): RouteHandler {
  return async (req): Promise<CoreResponse> => {
    const resource = req.query.get('resource');
    if (!resource) throw new HttpError(400, 'resource_missing', 'WebFinger needs ?resource=acct:<user>@<host>');
    const user = accountOf(resource);
    if (user === undefined) throw new HttpError(404, 'not_found', 'this server answers only for acct:<user>@<host> with a valid user name');
    const wanted = req.query.getAll('rel');
    const all = links(req.baseUrl, user);
    const body = JSON.stringify({ subject: resource, links: wanted.length > 0 ? all.filter((link) => wanted.includes(link.rel)) : all }) + '\n';
    return {
      status: 200,
      headers: {
        'content-type': 'application/jrd+json; charset=utf-8',
        'content-length': String(Buffer.byteLength(body)),
        // RFC 7033 §5: any web page may ask.
        'access-control-allow-origin': '*',
        'cache-control': 'no-cache',
        'x-content-type-options': 'nosniff',
      },
      body: req.method === 'HEAD' ? '' : body,
    };
  };
}
