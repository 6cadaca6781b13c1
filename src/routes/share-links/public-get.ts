import type { RouteHandler } from '../../core/router.js';
import type { CoreRequest, CoreResponse } from '../../core/types.js';
import { SHORT_ID } from '../../sharing/ids.js';
import { publicFilesOf, resolveShortId } from '../../sharing/public-files.js';
import { Refusal } from '../../sharing/refusal.js';
import type { FileRecord } from '../../storage/store.js';
import { userNameProblem } from '../../storage/user-name.js';
import type { RouteDeps } from '../deps.js';
import { expiryOf } from '../../sharing/expiry-records.js';
import { newestFirst } from '../newest-by-name.js';
import { filePage } from './file-page.js';
import { wantsPage } from './negotiate.js';
import { previewKind } from './preview.js';
import { answeringRefusals } from './refusals.js';
import { serveLinkedFile } from './serve-file.js';

async function answer(req: CoreRequest, deps: RouteDeps, record: FileRecord, url: string, link: string, asPage: boolean): Promise<CoreResponse> {
  if (!asPage) return serveLinkedFile(req, deps, record, link, true);
  const expires = await expiryOf(deps.backend.records, record.user, record.id);
  return filePage({ record, url, expires: expires?.toISOString() ?? null, downloadsLeft: null, preview: previewKind(record) });
}

/** GET|HEAD d/<short id>: a public file, no token; 404 from the moment it is unpublished. */
export function createPublicShortHandler(deps: RouteDeps): RouteHandler {
  return async (req, params) => {
    const asPage = wantsPage(req);
    return answeringRefusals(asPage, async () => {
      const short = params.short!;
      const entry = SHORT_ID.test(short) ? await resolveShortId(deps.backend.records, short) : undefined;
      const record = entry && (await deps.store.stat(entry.owner, entry.file));
      if (!record) throw new Refusal('missing');
      return answer(req, deps, record, `${req.baseUrl}d/${short}`, short, asPage);
    });
  };
}

/** GET|HEAD d/<user>/by-name/<name>: the newest public file of that name. */
export function createPublicByNameHandler(deps: RouteDeps): RouteHandler {
  return async (req, params) => {
    const asPage = wantsPage(req);
    return answeringRefusals(asPage, async () => {
      const user = params.user!;
      if (userNameProblem(user)) throw new Refusal('missing');
      let newest: FileRecord | undefined;
      let newestShort = '';
      for (const [file, short] of await publicFilesOf(deps.backend.records, user)) {
        const record = await deps.store.stat(user, file);
        if (record && record.name === params.name && (!newest || newestFirst(record, newest) < 0)) {
          newest = record;
          newestShort = short;
        }
      }
      if (!newest) throw new Refusal('missing');
      const url = `${req.baseUrl}d/${encodeURIComponent(user)}/by-name/${encodeURIComponent(params.name!)}`;
      return answer(req, deps, newest, url, newestShort, asPage);
    });
  };
}
