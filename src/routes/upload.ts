import { authenticate } from '../auth/authenticate.js';
import { hashDownloadToken, newDownloadToken } from '../auth/download-token.js';
import { authorize } from '../auth/policy.js';
import { noteAudit } from '../core/audit-facts.js';
import type { RouteHandler } from '../core/router.js';
import { jsonResponse } from '../core/respond.js';
import type { RouteDeps } from './deps.js';
import { fileUrl } from './file-path.js';
import { publicRecord } from './public-record.js';
import { receiveFile } from './receive-file.js';

const YES = /^(1|true|yes|on)$/i;

/**
 * POST {endpoint}upload: the original bdfu's protocol, answering 201 {"id": ...}. With
 * `download_token=1` (query, or a form field before the file) the answer also carries a
 * per-file download token; only its hash is stored.
 */
export function createUploadHandler(deps: RouteDeps): RouteHandler {
  return async (req) => {
    const principal = await authenticate(req, deps.verify);
    authorize(principal, 'upload', { owner: principal.user });
    req.acceptBody?.();
    let downloadToken: string | undefined;
    const record = await receiveFile(req, deps.store, principal.user, {
      extraMeta: (fields) => {
        if (!YES.test(req.query.get('download_token') ?? fields.get('download_token') ?? '')) return {};
        downloadToken = newDownloadToken();
        return { downloadTokenHash: hashDownloadToken(downloadToken) };
      },
    });
    noteAudit(req, { id: record.id, name: record.name, bytes: record.size });
    const answer = downloadToken ? { ...publicRecord(record), downloadToken } : publicRecord(record);
    return jsonResponse(201, answer, { location: fileUrl(req.baseUrl, record.user, record.id) });
  };
}
