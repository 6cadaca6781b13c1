import type { RouteHandler } from '../../core/router.js';
import type { CoreRequest, CoreResponse } from '../../core/types.js';
import { HttpError } from '../../core/http-error.js';
import type { RouteDeps } from '../deps.js';
import type { Session } from '../../storage/sessions.js';
import { admit, findUpload, tusAnswer, tusContext, type TusContext } from './context.js';
import { completeUpload, fileHeaders, noteFinished, readyToComplete } from './finish.js';
import { partsOf } from '../../storage/concatenated-parts.js';
import { formatMetadata, tusResumable, uploadUrl } from './protocol.js';

export const expiresHeader = (session: Session) => ({ 'upload-expires': new Date(session.expires).toUTCString() });

export function isExpired(session: Session, now = Date.now()): boolean {
  return !session.file && Date.parse(session.expires) <= now;
}

export const expiredError = () => new HttpError(410, 'upload_expired', 'this upload expired: start a new one');

/** HEAD {endpoint}tus/<id>: how far the upload got (and, once finished, where its file is). */
export function createTusHeadHandler(deps: RouteDeps): RouteHandler {
  const context = tusContext(deps);
  return (req, params) => tusAnswer(() => head(context, req, params.id!));
}

export async function head(context: TusContext, req: CoreRequest, id: string): Promise<CoreResponse> {
  const principal = await admit(context, req);
  let { owner, session, file } = await findUpload(context, principal, id);
  const headers: Record<string, string> = { ...tusResumable, 'cache-control': 'no-store' };
  if (session && isExpired(session)) throw expiredError();
  // Every byte arrived but the file was not made (the writer died in between): make it now,
  // for a client that sees offset = length considers the upload done and will not send again.
  if (session && readyToComplete(session)) {
    file = (await completeUpload(context, req, owner, session)).record;
    noteFinished(req, file);
  }
  if (session && Object.keys(session.meta.extra).length > 0) headers['upload-metadata'] = formatMetadata(session.meta.extra);
  if (file) {
    const parts = await partsOf(context.deps.backend.records, owner, file.id);
    if (parts) headers['upload-concat'] = `final;${parts.map((part) => uploadUrl(req.baseUrl, part)).join(' ')}`;
    return { status: 200, headers: { ...headers, ...fileHeaders(req, file), 'content-length': '0' } };
  }
  const live = session!;
  headers['upload-offset'] = String(live.offset);
  if (live.length === undefined) headers['upload-defer-length'] = '1';
  else headers['upload-length'] = String(live.length);
  if (live.partial) headers['upload-concat'] = 'partial';
  return { status: 200, headers: { ...headers, ...expiresHeader(live), 'content-length': '0' } };
}
