import { noteAudit } from '../../core/audit-facts.js';
import type { CoreRequest, CoreResponse } from '../../core/types.js';
import type { FileRecord } from '../../storage/store.js';
import type { RouteDeps } from '../deps.js';
import { fileResponse } from '../file-response.js';
import { wantsInline } from './negotiate.js';
import { previewKind } from './preview.js';

/**
 * A link's bytes, as every download: Range, ETag, 304, Content-Disposition, the inert headers.
 * `?inline` (the page's preview) only where the page shows one, and only for previewable types.
 */
export function serveLinkedFile(req: CoreRequest, deps: RouteDeps, record: FileRecord, link: string, previewAllowed: boolean): Promise<CoreResponse> {
  noteAudit(req, { owner: record.user, id: record.id, name: record.name, bytes: record.size, link });
  const inline = previewAllowed && wantsInline(req) && previewKind(record) !== undefined;
  return fileResponse(req, deps.store, record, { inline });
}
