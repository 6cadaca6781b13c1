import type { RouteHandler } from '../../core/router.js';
import type { CoreResponse } from '../../core/types.js';
import { getFileRequest, requestState, type FileRequest } from '../../sharing/file-requests.js';
import { LINK_ID } from '../../sharing/ids.js';
import { Refusal } from '../../sharing/refusal.js';
import type { RouteDeps } from '../deps.js';
import { escapeHtml, htmlPage, humanSize } from './html.js';
import { jsonResponse } from '../../core/respond.js';
import { wantsPage } from './negotiate.js';
import { qrSvg } from './qr.js';
import { answeringRefusals } from './refusals.js';
import { requestUrl } from './request-view.js';

export async function activeRequest(deps: RouteDeps, id: string): Promise<FileRequest> {
  if (!LINK_ID.test(id)) throw new Refusal('missing');
  const request = await getFileRequest(deps.backend.records, id);
  if (!request) throw new Refusal('missing');
  const state = requestState(request, deps.now());
  if (state !== 'active') throw new Refusal(state);
  return request;
}

/** The upload form: fields before the file, so the password is checked before a byte is stored. */
export function requestPage(url: string, request: FileRequest, message?: { status: number; text: string }): CoreResponse {
  const left = request.maxFiles - request.uploads;
  const body = `<h1>Send files</h1>
${request.note ? `<p class="note">${escapeHtml(request.note)}</p>` : ''}
${message ? `<p class="${message.status >= 400 ? 'error' : 'gone'}">${escapeHtml(message.text)}</p>` : ''}
<dl><dt>Files left</dt><dd>${left}</dd><dt>Largest file</dt><dd>${escapeHtml(humanSize(request.maxBytes))}</dd>
<dt>Open until</dt><dd>${escapeHtml(new Date(request.expires).toUTCString())}</dd></dl>
<form method="post" action="${escapeHtml(url)}" enctype="multipart/form-data">
${request.passwordHash ? '<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="off" required>' : ''}
<label for="file">File</label><input id="file" name="file" type="file" required>
<p><button type="submit">Upload</button></p></form>
${qrSvg(url)}`;
  return htmlPage(message?.status ?? 200, 'Send files', body);
}

/** GET r/<request>: the upload page (browsers) or the request's public facts as JSON. */
export function createRequestPageHandler(deps: RouteDeps): RouteHandler {
  return async (req, params) => {
    const asPage = wantsPage(req);
    return answeringRefusals(asPage, async () => {
      const request = await activeRequest(deps, params.request!);
      const url = requestUrl(req.baseUrl, request.id);
      if (asPage) return requestPage(url, request);
      return jsonResponse(200, {
        url, expires: request.expires, filesLeft: request.maxFiles - request.uploads, maxBytes: request.maxBytes,
        note: request.note, password: request.passwordHash !== undefined,
      });
    });
  };
}
