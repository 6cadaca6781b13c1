import { HttpError } from '../../core/http-error.js';
import type { RouteHandler } from '../../core/router.js';
import type { CoreRequest, CoreResponse } from '../../core/types.js';
import { LINK_ID } from '../../sharing/ids.js';
import { getLink, giveBackDownload, linkState, takeDownload, type ShareLink } from '../../sharing/links.js';
import { verifyPassword } from '../../sharing/password.js';
import { isRefusal, Refusal } from '../../sharing/refusal.js';
import { clearTries, countTry } from '../../sharing/throttle.js';
import type { FileRecord } from '../../storage/store.js';
import type { RouteDeps } from '../deps.js';
import { filePage } from './file-page.js';
import { htmlPage } from './html.js';
import { readForm } from './json-body.js';
import { linkUrl } from './link-view.js';
import { wantsPage } from './negotiate.js';
import { previewKind } from './preview.js';
import { answeringRefusals } from './refusals.js';
import { permitLinkRead, serveLinkedFile } from './serve-file.js';

/** The link and its file, while the link serves; a Refusal otherwise (a deleted file is 'missing'). */
async function activeLink(deps: RouteDeps, id: string): Promise<{ link: ShareLink; record: FileRecord }> {
  if (!LINK_ID.test(id)) throw new Refusal('missing');
  const link = await getLink(deps.backend.records, id);
  if (!link) throw new Refusal('missing');
  const state = linkState(link, deps.now());
  if (state !== 'active') throw new Refusal(state);
  const record = await deps.store.stat(link.owner, link.file);
  if (!record) throw new Refusal('missing');
  return { link, record };
}

const previewAllowed = (link: ShareLink) => link.passwordHash === undefined && link.maxDownloads === null;

/** Counts the download (atomically, before a byte goes out), then sends the bytes; gives the count back if none could be sent. */
async function countedDownload(req: CoreRequest, deps: RouteDeps, link: ShareLink, record: FileRecord): Promise<CoreResponse> {
  if (req.method === 'HEAD') return serveLinkedFile(req, deps, record, link.id, previewAllowed(link));
  // Asked before the count is taken: a refused download never holds one of a link's downloads.
  await permitLinkRead(req, deps, record);
  await takeDownload(deps.backend.records, link.id, deps.now);
  try {
    return await serveLinkedFile(req, deps, record, link.id, previewAllowed(link), true);
  } catch (error) {
    await giveBackDownload(deps.backend.records, link.id);
    throw error;
  }
}

function page(req: CoreRequest, deps: RouteDeps, link: ShareLink, record: FileRecord, error?: string): CoreResponse {
  return filePage({
    record,
    url: linkUrl(req.baseUrl, link.id),
    expires: link.expires,
    downloadsLeft: link.maxDownloads === null ? null : link.maxDownloads - link.downloads,
    note: link.note,
    ...(previewAllowed(link) ? { preview: previewKind(record) } : {}),
    ...(link.passwordHash ? { password: error ? { error } : {} } : {}),
  });
}

/** GET|HEAD s/<link>: the page (browsers) or the bytes (`?download`, non-HTML Accept); a password link's bytes need POST. */
export function createLinkGetHandler(deps: RouteDeps): RouteHandler {
  return async (req, params) => {
    const asPage = wantsPage(req);
    return answeringRefusals(asPage, async () => {
      const { link, record } = await activeLink(deps, params.link!);
      if (asPage) return page(req, deps, link, record);
      if (link.passwordHash) {
        throw new HttpError(401, 'password_required', 'this link needs a password: POST it as the form field `password` (curl --data-urlencode password@- URL)');
      }
      return countedDownload(req, deps, link, record);
    });
  };
}

/** POST s/<link> with the form field `password`: checked (tries throttled per link and address), then the bytes. */
export function createLinkPostHandler(deps: RouteDeps): RouteHandler {
  const rule = { maxTries: deps.settings.sharePasswordTries, windowSeconds: deps.settings.sharePasswordWindowSeconds };
  return async (req, params) => {
    const asPage = /text\/html/i.test(req.headers['accept'] ?? '');
    return answeringRefusals(asPage, async () => {
      const { link, record } = await activeLink(deps, params.link!);
      const form = await readForm(req);
      if (link.passwordHash) {
        try {
          await countTry(deps.backend.records, `s:${link.id}`, req.remoteAddress, rule, deps.now);
        } catch (error) {
          if (!isRefusal(error) || !asPage) throw error;
          return htmlPage(429, 'Too many tries', `<h1>Too many tries</h1><p class="gone">Wait ${error.retryAfterSeconds} seconds before trying again.</p>`,
            { 'retry-after': String(error.retryAfterSeconds) });
        }
        if (!(await verifyPassword(form.get('password') ?? '', link.passwordHash))) {
          if (asPage) return page(req, deps, link, record, 'Wrong password.');
          throw new HttpError(403, 'wrong_password', 'the password is wrong');
        }
        await clearTries(deps.backend.records, `s:${link.id}`, req.remoteAddress);
      }
      return countedDownload(req, deps, link, record);
    });
  };
}

