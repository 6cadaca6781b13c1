import { authenticate } from '../../auth/authenticate.js';
import type { Principal } from '../../auth/principal.js';
import { permit } from '../../auth/permit.js';
import { noteAudit } from '../../core/audit-facts.js';
import type { RouteParams } from '../../core/router.js';
import type { CoreRequest } from '../../core/types.js';
import type { RouteDeps } from '../deps.js';

/** files/<user>/<id>/…: the token's principal, allowed to share that file (owner or admin), noted for the audit trail. */
export async function fileShareAccess(deps: RouteDeps, req: CoreRequest, params: RouteParams): Promise<{ owner: string; file: string; principal: Principal }> {
  const owner = params.user!;
  const file = params.id!;
  const principal = await authenticate(req, deps.verify);
  await permit(req, deps.hooks, principal, 'share', { owner, id: file });
  noteAudit(req, { user: principal.user, owner, id: file });
  return { owner, file, principal };
}
