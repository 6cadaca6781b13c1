import { authenticate } from '../auth/authenticate.js';
import { authorizeAdmin } from '../auth/policy.js';
import { parseSince, type AuditFilter } from '../audit/query.js';
import { HttpError } from '../core/http-error.js';
import type { RouteHandler } from '../core/router.js';
import { jsonResponse } from '../core/respond.js';
import type { RouteDeps } from './deps.js';

const DEFAULT_LIMIT = 500;
const MAX_LIMIT = 10_000;

function filterFrom(query: URLSearchParams): { filter: AuditFilter; limit: number } {
  const filter: AuditFilter = {};
  const user = query.get('user');
  const action = query.get('action');
  const since = query.get('since');
  const limit = query.get('limit');
  if (user) filter.user = user;
  if (action) filter.action = action;
  if (since) {
    filter.since = parseSince(since);
    if (!filter.since) throw new HttpError(400, 'bad_since', `since must be a duration like 7d, 12h, 30m, or a date, not ${JSON.stringify(since.slice(0, 40))}`);
  }
  if (limit && !/^\d{1,5}$/.test(limit)) throw new HttpError(400, 'bad_limit', 'limit must be a whole number');
  return { filter, limit: Math.min(MAX_LIMIT, Math.max(1, Number(limit || DEFAULT_LIMIT))) };
}

/** GET {endpoint}audit?user=&since=&action=&limit=: the trail, newest first (admin only). */
export function createAuditHandler(deps: RouteDeps): RouteHandler {
  return async (req) => {
    const principal = await authenticate(req, deps.verify);
    authorizeAdmin(principal, 'read the audit trail');
    const { filter, limit } = filterFrom(req.query);
    return jsonResponse(200, { entries: (await deps.backend.audit.query(filter, limit)).reverse() });
  };
}
