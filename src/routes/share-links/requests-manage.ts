import { authenticate } from '../../auth/authenticate.js';
import { permit } from '../../auth/permit.js';
import { noteAudit } from '../../core/audit-facts.js';
import { jsonResponse } from '../../core/respond.js';
import type { RouteHandler } from '../../core/router.js';
import { createFileRequest, listFileRequests, revokeFileRequest } from '../../sharing/file-requests.js';
import { hashPassword } from '../../sharing/password.js';
import { isRefusal } from '../../sharing/refusal.js';
import type { RouteDeps } from '../deps.js';
import { readJsonObject } from './json-body.js';
import { linkExpiry, MAX_NOTE_CHARS, optionalPassword, optionalText, positiveCount } from './options.js';
import { refusalError } from './refusals.js';
import { requestView } from './request-view.js';

const DEFAULT_DAYS = 7;

/** POST requests/<user> {expiresIn, maxFiles, maxBytes, password, note}: an upload link for people without an account. */
export function createRequestsCreateHandler(deps: RouteDeps): RouteHandler {
  return async (req, params) => {
    const owner = params.user!;
    const principal = await authenticate(req, deps.verify);
    await permit(req, deps.hooks, principal, 'upload', { owner });
    noteAudit(req, { user: principal.user, owner });
    const body = await readJsonObject(req);
    const at = deps.now();
    const expires = linkExpiry(body.expiresIn, deps.settings.fileRequestMaxDays, DEFAULT_DAYS, at)!;
    const maxFiles = positiveCount(body.maxFiles, 'maxFiles', 10_000) ?? 10;
    const maxBytes = positiveCount(body.maxBytes, 'maxBytes', deps.settings.maxUploadSize) ?? deps.settings.maxUploadSize;
    const note = optionalText(body.note, 'note', MAX_NOTE_CHARS);
    const password = optionalPassword(body.password);
    const request = await createFileRequest(deps.backend.records, {
      owner, expires, maxFiles, maxBytes, note, ...(password ? { passwordHash: await hashPassword(password) } : {}),
    }, deps.now);
    noteAudit(req, { link: request.id });
    return jsonResponse(201, requestView(req.baseUrl, request, at));
  };
}

/** GET requests/<user>: the owner's file requests with how many files each received. */
export function createRequestsListHandler(deps: RouteDeps): RouteHandler {
  return async (req, params) => {
    const owner = params.user!;
    await permit(req, deps.hooks, await authenticate(req, deps.verify), 'list', { owner });
    const at = deps.now();
    return jsonResponse(200, { requests: (await listFileRequests(deps.backend.records, owner)).map((r) => requestView(req.baseUrl, r, at)) });
  };
}

/** DELETE requests/<user>/<request>: the upload link answers 410 from now on. */
export function createRequestsRevokeHandler(deps: RouteDeps): RouteHandler {
  return async (req, params) => {
    const owner = params.user!;
    const principal = await authenticate(req, deps.verify);
    await permit(req, deps.hooks, principal, 'upload', { owner });
    noteAudit(req, { user: principal.user, owner, link: params.request! });
    try {
      const request = await revokeFileRequest(deps.backend.records, owner, params.request!, deps.now);
      return jsonResponse(200, requestView(req.baseUrl, request!, deps.now()));
    } catch (error) {
      throw isRefusal(error) ? refusalError(error) : error;
    }
  };
}
