import { authenticate } from '../../auth/authenticate.js';
import { authorizeApprovals } from '../../auth/policy.js';
import { noteAudit } from '../../core/audit-facts.js';
import { HttpError } from '../../core/http-error.js';
import { jsonResponse } from '../../core/respond.js';
import type { RouteHandler } from '../../core/router.js';
import { listApprovals, revokeApproval } from '../../oauth/approvals.js';
import type { RouteDeps } from '../deps.js';

/** GET {endpoint}apps/<user>: the apps the user allowed in the OAuth dialog, with their scopes. */
export function createApprovalsListHandler(deps: RouteDeps): RouteHandler {
  return async (req, params) => {
    const owner = params.user!;
    noteAudit(req, { owner });
    authorizeApprovals(await authenticate(req, deps.verify), owner);
    return jsonResponse(200, { apps: await listApprovals(deps.backend.records, owner) });
  };
}

/** DELETE {endpoint}apps/<user>/<id>: revokes the approval; the app's tokens stop working at once. */
export function createApprovalRevokeHandler(deps: RouteDeps): RouteHandler {
  return async (req, params) => {
    const owner = params.user!;
    noteAudit(req, { owner, id: params.id! });
    authorizeApprovals(await authenticate(req, deps.verify), owner);
    if (!(await revokeApproval(deps.backend.records, owner, params.id!))) throw new HttpError(404, 'not_found', 'no such app approval');
    return { status: 204, headers: { 'content-length': '0' } };
  };
}
