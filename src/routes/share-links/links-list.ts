import { authenticate } from '../../auth/authenticate.js';
import { permit } from '../../auth/permit.js';
import { jsonResponse } from '../../core/respond.js';
import type { RouteHandler } from '../../core/router.js';
import { listLinks } from '../../sharing/links.js';
import type { RouteDeps } from '../deps.js';
import { linkView } from './link-view.js';

/** GET links/<user>: the owner's share links, newest first, with counts and last use. */
export function createLinksListHandler(deps: RouteDeps): RouteHandler {
  return async (req, params) => {
    const owner = params.user!;
    await permit(req, deps.hooks, await authenticate(req, deps.verify), 'list', { owner });
    const at = deps.now();
    const links = await listLinks(deps.backend.records, owner);
    return jsonResponse(200, { links: links.map((link) => linkView(req.baseUrl, link, at)) });
  };
}
