import { authenticate } from '../auth/authenticate.js';
import { authorize } from '../auth/policy.js';
import { noteAudit } from '../core/audit-facts.js';
import type { RouteHandler } from '../core/router.js';
import { jsonResponse } from '../core/respond.js';
import type { RouteDeps } from './deps.js';
import { receiveFile } from './receive-file.js';

/** POST {endpoint}upload: the original bdfu's protocol, answering 201 {"id": ...}. */
export function createUploadHandler(deps: RouteDeps): RouteHandler {
  return async (req) => {
    const principal = await authenticate(req, deps.verify);
    authorize(principal, 'upload', principal.user);
    req.acceptBody?.();
    const record = await receiveFile(req, deps.store, principal.user);
    noteAudit(req, { id: record.id, name: record.name, bytes: record.size });
    return jsonResponse(201, record);
  };
}
