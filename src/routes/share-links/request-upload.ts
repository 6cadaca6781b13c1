import { permit } from '../../auth/permit.js';
import { noteAudit } from '../../core/audit-facts.js';
import { HttpError } from '../../core/http-error.js';
import { jsonResponse } from '../../core/respond.js';
import type { RouteHandler } from '../../core/router.js';
import { giveBackUploadSlot, takeUploadSlot } from '../../sharing/file-requests.js';
import { setExpiry } from '../../sharing/expiry-records.js';
import { verifyPassword } from '../../sharing/password.js';
import { clearTries, countTry } from '../../sharing/throttle.js';
import type { Reservation } from '../../storage/store.js';
import type { RouteDeps } from '../deps.js';
import { receiveFile, tooLarge, type FormLimits } from '../receive-file.js';
import { storageFailure } from '../storage-failure.js';
import { isRefusal } from '../../sharing/refusal.js';
import { answeringRefusals, refusalError } from './refusals.js';
import { activeRequest, requestPage } from './request-page.js';
import { requestUrl } from './request-view.js';
import { uploadExpiry } from './upload-expiry.js';

/**
 * POST r/<request>: one file (`curl -F file=@x`, `-F password=…` first when the request has one)
 * into the owner's area, without an account. The password is checked (tries throttled) and an
 * upload slot taken atomically before the file is stored; audited with the request id.
 */
export function createRequestUploadHandler(deps: RouteDeps): RouteHandler {
  const { settings, store } = deps;
  const quota = { bytes: settings.quotaBytes, files: settings.quotaFiles };
  const rule = { maxTries: settings.sharePasswordTries, windowSeconds: settings.sharePasswordWindowSeconds };
  return async (req, params) => {
    const asPage = /text\/html/i.test(req.headers['accept'] ?? '');
    return answeringRefusals(asPage, async () => {
      const request = await activeRequest(deps, params.request!);
      const owner = request.owner;
      noteAudit(req, { owner, link: request.id });
      // No principal: the policy allowed it through the request; the authorize hook may still refuse.
      await permit(req, deps.hooks, 'link', 'upload', { owner });
      const limits: FormLimits = {
        maxBodyBytes: Math.min(settings.maxUploadSize, request.maxBytes),
        maxFileNameBytes: settings.maxFileNameBytes,
        maxFields: settings.maxFormFields,
        maxParts: settings.maxFormParts,
        maxFieldBytes: settings.maxFieldBytes,
        maxPartHeaderPairs: settings.maxPartHeaderPairs,
      };
      const length = req.headers['content-length'];
      // The body carries the form's framing too: refuse early only what cannot fit at all.
      if (length !== undefined && /^\d+$/.test(length) && Number(length) > limits.maxBodyBytes + 64 * 1024) throw tooLarge(limits.maxBodyBytes);
      const expires = uploadExpiry(settings, undefined, deps.now());
      let reservation: Reservation | undefined;
      if (store.reserve) {
        try {
          reservation = await store.reserve(owner, limits.maxBodyBytes, quota, false);
        } catch (error) {
          throw storageFailure(error);
        }
      }
      let slotTaken = false;
      let taken = request;
      try {
        req.acceptBody?.();
        const { hooks } = deps;
        const record = await receiveFile(req, store, owner, {
          limits,
          ...(hooks ? { beforeCommit: (written) => hooks.beforeCommit({ user: owner, ...written }, req) } : {}),
          ...(reservation ? { reservation } : {}),
          extraMeta: async (fields) => {
            try {
            if (request.passwordHash) {
              await countTry(deps.backend.records, `r:${request.id}`, req.remoteAddress, rule, deps.now);
              if (!(await verifyPassword(fields.get('password') ?? '', request.passwordHash))) {
                throw new HttpError(403, 'wrong_password', 'the password is wrong (send it as the form field `password`, before the file)');
              }
              await clearTries(deps.backend.records, `r:${request.id}`, req.remoteAddress);
            }
            taken = await takeUploadSlot(deps.backend.records, request.id, deps.now);
            slotTaken = true;
            return {};
            } catch (error) {
              // Refused inside the upload: an HttpError, so receiveFile passes it on unchanged.
              throw isRefusal(error) ? refusalError(error) : error;
            }
          },
        });
        if (expires) await setExpiry(deps.backend.records, owner, record.id, expires);
        noteAudit(req, { id: record.id, name: record.name, bytes: record.size });
        hooks?.after('afterUpload', { user: null, record }, req);
        const left = taken.maxFiles - taken.uploads;
        if (asPage) return requestPage(requestUrl(req.baseUrl, request.id), taken, { status: 201, text: `Received ${record.name} (${record.size} bytes). Thank you.` });
        return jsonResponse(201, { id: record.id, name: record.name, size: record.size, sha256: record.sha256, filesLeft: Math.max(0, left) });
      } catch (error) {
        if (slotTaken) await giveBackUploadSlot(deps.backend.records, request.id);
        throw error;
      } finally {
        await reservation?.release();
      }
    });
  };
}
