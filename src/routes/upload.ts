import { authenticate } from '../auth/authenticate.js';
import { hashDownloadToken, newDownloadToken } from '../auth/download-token.js';
import { permit } from '../auth/permit.js';
import { noteAudit } from '../core/audit-facts.js';
import type { RouteHandler } from '../core/router.js';
import { HttpError } from '../core/http-error.js';
import { jsonResponse } from '../core/respond.js';
import { storageFailure } from './storage-failure.js';
import type { Reservation } from '../storage/store.js';
import type { RouteDeps } from './deps.js';
import { fileUrl } from './file-path.js';
import { publicRecord } from './public-record.js';
import { receiveFile, tooLarge, type FormLimits } from './receive-file.js';
import { keepUntil } from './share-links/keep-until.js';
import { uploadExpiry } from './share-links/upload-expiry.js';

function declaredLength(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  if (!/^\d{1,15}$/.test(header.trim())) throw new HttpError(400, 'bad_content_length', 'the Content-Length header is not a byte count');
  return Number(header);
}

const YES = /^(1|true|yes|on)$/i;

/**
 * POST {endpoint}upload: the original bdfu's protocol, answering 201 {"id": ...}. With
 * `download_token=1` (query, or a form field before the file) the answer also carries a
 * per-file download token; only its hash is stored.
 */
export function createUploadHandler(deps: RouteDeps): RouteHandler {
  const { settings, store } = deps;
  const quota = { bytes: settings.quotaBytes, files: settings.quotaFiles };
  return async (req) => {
    const principal = await authenticate(req, deps.verify);
    await permit(req, deps.hooks, principal, 'upload', { owner: principal.user });
    const limits: FormLimits = {
      maxBodyBytes: Math.min(settings.maxUploadSize, principal.maxSize ?? Infinity),
      maxFileNameBytes: settings.maxFileNameBytes,
      maxFields: settings.maxFormFields,
      maxParts: settings.maxFormParts,
      maxFieldBytes: settings.maxFieldBytes,
      maxPartHeaderPairs: settings.maxPartHeaderPairs,
    };
    // Refused before the client is told to send its body (100-continue).
    const length = declaredLength(req.headers['content-length']);
    if (length !== undefined && length > limits.maxBodyBytes) throw tooLarge(limits.maxBodyBytes);

    // expires_in: the query is checked before the body is read; a form field (before the file) after.
    uploadExpiry(settings, req.query.get('expires_in') ?? undefined, deps.now());
    let reservation: Reservation | undefined;
    if (store.reserve) {
      try {
        reservation = await store.reserve(principal.user, length ?? limits.maxBodyBytes, quota, length !== undefined);
      } catch (error) {
        throw storageFailure(error);
      }
    } else if (quota.bytes > 0 || quota.files > 0) {
      throw new HttpError(500, 'config_error', 'QUOTA_BYTES / QUOTA_FILES are set, but this storage cannot enforce quotas');
    }
    try {
      req.acceptBody?.();
      let downloadToken: string | undefined;
      const { hooks } = deps;
      let fieldExpiry: string | undefined;
      const record = await receiveFile(req, store, principal.user, {
        limits,
        ...(hooks ? { beforeCommit: (written) => hooks.beforeCommit({ user: principal.user, ...written }, req) } : {}),
        ...(reservation ? { reservation } : {}),
        extraMeta: (fields) => {
          fieldExpiry = fields.get('expires_in');
          if (!YES.test(req.query.get('download_token') ?? fields.get('download_token') ?? '')) return {};
          downloadToken = newDownloadToken();
          return { downloadTokenHash: hashDownloadToken(downloadToken) };
        },
      });
      const expires = await keepUntil(deps, record, req.query.get('expires_in') ?? fieldExpiry);
      noteAudit(req, { id: record.id, name: record.name, bytes: record.size });
      hooks?.after('afterUpload', { user: principal.user, record }, req);
      const answer = { ...publicRecord(record), ...(downloadToken ? { downloadToken } : {}), ...(expires ? { expires: expires.toISOString() } : {}) };
      return jsonResponse(201, answer, { location: fileUrl(req.baseUrl, record.user, record.id) });
    } finally {
      await reservation?.release();
    }
  };
}
