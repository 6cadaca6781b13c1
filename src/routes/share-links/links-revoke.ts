import { authenticate } from '../../auth/authenticate.js';
import { permit } from '../../auth/permit.js';
import { noteAudit } from '../../core/audit-facts.js';
import { jsonResponse } from '../../core/respond.js';
import type { RouteHandler } from '../../core/router.js';
import { revokeLink } from '../../sharing/links.js';
import { isRefusal } from '../../sharing/refusal.js';
import type { RouteDeps } from '../deps.js';
import { linkView } from './link-view.js';
import { refusalError } from './refusals.js';

/** DELETE links/<user>/<link>: the link answers 410 from now on (it stays listed as revoked). */
export function createLinksRevokeHandler(deps: RouteDeps): RouteHandler {
  return async (req, params) => {
    const owner = params.user!;
    const principal = await authenticate(req, deps.verify);
    await permit(req, deps.hooks, principal, 'share', { owner });
    noteAudit(req, { user: principal.user, owner, link: params.link! });
    try {
      const link = await revokeLink(deps.backend.records, owner, params.link!, deps.now);
      noteAudit(req, { id: link!.file });
      return jsonResponse(200, linkView(req.baseUrl, link!, deps.now()));
    } catch (error) {
      throw isRefusal(error) ? refusalError(error) : error;
    }
  };
}
