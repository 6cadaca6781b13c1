import { authenticate } from '../auth/authenticate.js';
import { permit } from '../auth/permit.js';
import { noteAudit } from '../core/audit-facts.js';
import type { RouteHandler } from '../core/router.js';
import { forgetRecordsOf } from '../sharing/retention.js';
import type { RouteDeps } from './deps.js';
import { notFound } from './file-response.js';

/** DELETE files/<user>/<id>: 204 (its public links, share links and expiry go too), or 404 when there was no such file. */
export function createFilesDeleteHandler(deps: RouteDeps): RouteHandler {
  return async (req, params) => {
    const user = params.user!;
    const id = params.id!;
    const principal = await authenticate(req, deps.verify);
    await permit(req, deps.hooks, principal, 'delete', { owner: user, id });
    const record = await deps.store.stat(user, id);
    noteAudit(req, { owner: user, id, ...(record ? { name: record.name, bytes: record.size } : {}) });
    if (!(await deps.store.remove(user, id))) throw notFound();
    await forgetRecordsOf(deps.backend.records, user, id);
    if (record) deps.hooks?.after('afterDelete', { user: principal.user, record }, req);
    return { status: 204, headers: { 'cache-control': 'no-store' } };
  };
}
