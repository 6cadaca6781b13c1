import { noteAudit } from '../../core/audit-facts.js';
import { jsonResponse } from '../../core/respond.js';
import type { RouteHandler } from '../../core/router.js';
import { createLink } from '../../sharing/links.js';
import { hashPassword } from '../../sharing/password.js';
import type { RouteDeps } from '../deps.js';
import { fileShareAccess } from './file-share-access.js';
import { notFound } from '../file-response.js';
import { readJsonObject } from './json-body.js';
import { linkView } from './link-view.js';
import { linkExpiry, MAX_NOTE_CHARS, optionalPassword, optionalText, positiveCount } from './options.js';

const DEFAULT_DAYS = 7;

/** POST files/<user>/<id>/links {expiresIn, maxDownloads, password, note}: a counted, revocable share link. */
export function createLinksCreateHandler(deps: RouteDeps): RouteHandler {
  return async (req, params) => {
    const { owner, file, principal } = await fileShareAccess(deps, req, params);
    const body = await readJsonObject(req);
    const at = deps.now();
    const expires = linkExpiry(body.expiresIn, deps.settings.shareLinkMaxDays, DEFAULT_DAYS, at);
    const maxDownloads = positiveCount(body.maxDownloads, 'maxDownloads');
    const note = optionalText(body.note, 'note', MAX_NOTE_CHARS);
    const password = optionalPassword(body.password);
    const record = await deps.store.stat(owner, file);
    if (!record) throw notFound();
    const link = await createLink(deps.backend.records, {
      owner, file, expires, maxDownloads, note, ...(password ? { passwordHash: await hashPassword(password) } : {}),
    }, deps.now);
    noteAudit(req, { name: record.name, link: link.id });
    const view = linkView(req.baseUrl, link, at);
    deps.hooks?.after('afterShare', {
      user: principal.user, record, kind: 'link', url: view.url, expires: link.expires, link: link.id,
      ...(link.maxDownloads !== null ? { maxDownloads: link.maxDownloads } : {}),
    }, req);
    return jsonResponse(201, view);
  };
}
