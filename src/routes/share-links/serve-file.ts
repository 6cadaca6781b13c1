import { permit } from '../../auth/permit.js';
import { noteAudit } from '../../core/audit-facts.js';
import type { CoreRequest, CoreResponse } from '../../core/types.js';
import type { FileRecord } from '../../storage/store.js';
import type { RouteDeps } from '../deps.js';
import { fileResponse } from '../file-response.js';
import { wantsInline } from './negotiate.js';
import { previewKind } from './preview.js';

/** The authorize hook's say on a read through a share link or public mark (no principal). */
export function permitLinkRead(req: CoreRequest, deps: RouteDeps, record: FileRecord): Promise<void> {
  return permit(req, deps.hooks, 'link', 'read', { owner: record.user, id: record.id });
}

/**
 * A link's bytes, as every download: Range, ETag, 304, Content-Disposition, the inert headers.
 * `?inline` (the page's preview) only where the page shows one, and only for previewable types.
 * The authorize hook may still refuse (as for signed links), unless the caller asked it already
 * (`permitted`); a GET tells afterDownload.
 */
export async function serveLinkedFile(req: CoreRequest, deps: RouteDeps, record: FileRecord, link: string, previewAllowed: boolean, permitted = false): Promise<CoreResponse> {
  if (!permitted) await permitLinkRead(req, deps, record);
  noteAudit(req, { owner: record.user, id: record.id, name: record.name, bytes: record.size, link });
  if (req.method === 'GET') deps.hooks?.after('afterDownload', { user: null, record }, req);
  const inline = previewAllowed && wantsInline(req) && previewKind(record) !== undefined;
  return fileResponse(req, deps.store, record, { inline });
}
