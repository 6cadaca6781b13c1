import { authorizeStorage } from '../../auth/storage-policy.js';
import { noteAudit } from '../../core/audit-facts.js';
import { HttpError } from '../../core/http-error.js';
import type { RouteParams } from '../../core/router.js';
import type { CoreRequest } from '../../core/types.js';
import type { Documents } from '../../storage/documents.js';
import type { RouteDeps } from '../deps.js';
import { storagePrincipal, storageTarget, type StorageTarget } from './target.js';

type Authorize = typeof authorizeStorage;

/**
 * The document or folder a request names, once `authorize` (storage-policy.ts) let its token at
 * it; audited either way. `app`: the app's origin when an app's token writes (for the history).
 */
export async function admitted(deps: RouteDeps, req: CoreRequest, params: RouteParams, write: boolean, authorize: Authorize = authorizeStorage): Promise<StorageTarget & { app?: string }> {
  const target = storageTarget(req, params);
  const principal = await storagePrincipal(req, deps);
  noteAudit(req, { owner: target.user, name: target.path });
  authorize(principal, target.user, target.path, write);
  return principal?.app ? { ...target, app: principal.app.client } : target;
}

export function documentsOf(deps: RouteDeps): Documents {
  const documents = deps.backend.capabilities.documents ? deps.backend.documents : undefined;
  if (!documents) throw new HttpError(501, 'documents_unsupported', 'this storage backend keeps no documents');
  return documents;
}
