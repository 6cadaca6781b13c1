import { noteAudit } from '../../core/audit-facts.js';
import { jsonResponse } from '../../core/respond.js';
import type { RouteHandler } from '../../core/router.js';
import { publish, unpublish } from '../../sharing/public-files.js';
import type { RouteDeps } from '../deps.js';
import { fileShareAccess } from './file-share-access.js';
import { notFound } from '../file-response.js';

/** PUT files/<user>/<id>/public (owner or admin): served without a token at d/<short id> and d/<user>/by-name/<name>. */
export function createPublishHandler(deps: RouteDeps): RouteHandler {
  return async (req, params) => {
    const { owner, file, principal } = await fileShareAccess(deps, req, params);
    const record = await deps.store.stat(owner, file);
    if (!record) throw notFound();
    const short = await publish(deps.backend.records, owner, file);
    noteAudit(req, { name: record.name, link: short });
    const url = `${req.baseUrl}d/${short}`;
    deps.hooks?.after('afterShare', { user: principal.user, record, kind: 'public', url, expires: null, link: short }, req);
    return jsonResponse(200, {
      public: true,
      short,
      url,
      byName: `${req.baseUrl}d/${encodeURIComponent(owner)}/by-name/${encodeURIComponent(record.name)}`,
    });
  };
}

/** DELETE files/<user>/<id>/public: both public links are 404 at once. */
export function createUnpublishHandler(deps: RouteDeps): RouteHandler {
  return async (req, params) => {
    const { owner, file } = await fileShareAccess(deps, req, params);
    if (file.length > 255) throw notFound();
    const was = await unpublish(deps.backend.records, owner, file);
    return jsonResponse(200, { public: false, wasPublic: was });
  };
}
