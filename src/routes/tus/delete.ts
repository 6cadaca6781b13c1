import { authorize } from '../../auth/policy.js';
import { noteAudit } from '../../core/audit-facts.js';
import type { RouteHandler } from '../../core/router.js';
import type { CoreRequest, CoreResponse } from '../../core/types.js';
import type { RouteDeps } from '../deps.js';
import { admit, findUpload, sessionsOf, tusAnswer, tusContext, type TusContext } from './context.js';
import { tusResumable } from './protocol.js';

/** DELETE {endpoint}tus/<id> (termination): the upload, its staged bytes and the quota it held go. */
export function createTusDeleteHandler(deps: RouteDeps): RouteHandler {
  const context = tusContext(deps);
  return (req, params) => tusAnswer(() => terminate(context, req, params.id!));
}

export async function terminate(context: TusContext, req: CoreRequest, id: string): Promise<CoreResponse> {
  const principal = await admit(context, req);
  const { owner, session, file } = await findUpload(context, principal, id);
  noteAudit(req, { owner, id });
  if (file) {
    // A finished upload is a file: removing it is a delete, and needs the delete scope.
    authorize(principal, 'delete', { owner, id });
    noteAudit(req, { action: 'delete', name: file.name, bytes: file.size });
    await context.deps.store.remove(owner, id);
  }
  if (session) await sessionsOf(context).abort(owner, id);
  return { status: 204, headers: { ...tusResumable } };
}
