import type { Principal } from '../../auth/principal.js';
import { noteAudit } from '../../core/audit-facts.js';
import { HttpError } from '../../core/http-error.js';
import type { RouteHandler } from '../../core/router.js';
import type { CoreRequest, CoreResponse } from '../../core/types.js';
import { isStorageError } from '../../storage/errors.js';
import type { Session, SessionMeta } from '../../storage/sessions.js';
import type { RouteDeps } from '../deps.js';
import { admit, findUpload, maxBytes, sessionsOf, tusAnswer, tusContext, type TusContext } from './context.js';
import { rememberParts } from '../../storage/concatenated-parts.js';
import { concatenateUploads, completeUpload, endsUpload, finishedResponse, finishOptions, sessionMeta } from './finish.js';
import { expiresHeader } from './head.js';
import { appendBody, requireOctetStream } from './patch.js';
import { byteCount, lengthDeferred, parseConcat, parseMetadata, tusResumable, uploadUrl } from './protocol.js';

/** POST {endpoint}tus/: creates an upload (creation, creation-with-upload, defer-length, concatenation). */
export function createTusPostHandler(deps: RouteDeps): RouteHandler {
  const context = tusContext(deps);
  return (req) => tusAnswer(() => create(context, req));
}

/** When an upload created now expires unfinished (TUS_EXPIRE_SECONDS). */
const expiresAt = (context: TusContext) => new Date(Date.now() + context.deps.settings.tusExpireSeconds * 1000);

/** Whether the creation request carries bytes of the upload (creation-with-upload). */
function hasBody(req: CoreRequest): boolean {
  const length = byteCount(req.headers, 'content-length');
  return length !== undefined ? length > 0 : req.headers['transfer-encoding'] !== undefined;
}

async function create(context: TusContext, req: CoreRequest): Promise<CoreResponse> {
  const principal = await admit(context, req);
  const sessions = sessionsOf(context);
  const concat = parseConcat(req.headers['upload-concat']);
  if (concat && !context.capabilities?.concatenation) {
    throw new HttpError(400, 'concatenation_unsupported', 'this storage backend cannot concatenate uploads (Upload-Concat)');
  }
  const meta = sessionMeta(context, parseMetadata(req.headers['upload-metadata']));
  if (concat?.kind === 'final') return concatenate(context, req, principal, concat.ids, meta);

  const deferred = lengthDeferred(req.headers);
  const length = byteCount(req.headers, 'upload-length');
  if ((length === undefined) === !deferred) {
    throw new HttpError(400, 'upload_length_missing', 'give exactly one of Upload-Length (the size in bytes) and Upload-Defer-Length: 1');
  }
  const limit = maxBytes(context, principal);
  if (length !== undefined && length > limit) {
    throw new HttpError(413, 'too_large', `the upload is larger than the ${limit} bytes allowed`, { details: { allowed: limit } });
  }
  const withBody = hasBody(req);
  if (withBody) requireOctetStream(req);
  if (withBody && length !== undefined && !concat && sessions.createWhole && wholeUpload(req, length)) {
    return createWhole(context, req, principal, { length, meta, limit });
  }
  const session = await sessions.create(principal.user, {
    ...(length !== undefined ? { length } : {}),
    meta,
    expiresAt: expiresAt(context),
    partial: concat?.kind === 'partial',
    quota: context.quota,
    maxBytes: limit,
  });
  noteAudit(req, { id: session.id, name: meta.name });
  const created = { ...tusResumable, location: uploadUrl(req.baseUrl, session.id) };
  let current: Session = session;
  if (withBody) {
    try {
      current = await appendBody(context, req, principal.user, session, 0, limit);
    } catch (error) {
      // Refused bytes (checksum, size, quota): the creation is refused whole. A cut-off body:
      // the upload stays, at the offset that reached storage, for the client to resume.
      if ((error instanceof HttpError && error.code !== 'body_incomplete') || (isStorageError(error) && error.kind !== 'io')) {
        await sessions.abort(principal.user, session.id).catch(() => undefined);
        throw error;
      }
      current = (await sessions.get(principal.user, session.id)) ?? session;
    }
  }
  if (endsUpload(current)) {
    return finishedResponse(req, await completeUpload(context, req, principal.user, current), 201, { location: created.location });
  }
  return {
    status: 201,
    headers: { ...created, 'upload-offset': String(current.offset), ...expiresHeader(current), 'content-length': '0' },
  };
}

/** Whether the creation carries the whole upload, unchecksummed: it can be stored in one step (createWhole). */
function wholeUpload(req: CoreRequest, length: number): boolean {
  return byteCount(req.headers, 'content-length') === length && req.headers['upload-checksum'] === undefined;
}

/** Creation-with-upload of every byte: one storage step, answered as the request that finishes an upload is. */
async function createWhole(context: TusContext, req: CoreRequest, principal: Principal, upload: { length: number; meta: SessionMeta; limit: number }): Promise<CoreResponse> {
  req.acceptBody?.();
  const session = await sessionsOf(context).createWhole!(principal.user, {
    length: upload.length,
    meta: upload.meta,
    expiresAt: expiresAt(context),
    quota: context.quota,
    maxBytes: upload.limit,
  }, req.body, finishOptions(context, req, principal.user));
  noteAudit(req, { id: session.id, name: upload.meta.name });
  const location = uploadUrl(req.baseUrl, session.id);
  if (session.file) return finishedResponse(req, await completeUpload(context, req, principal.user, session), 201, { location });
  return {
    status: 201,
    headers: { ...tusResumable, location, 'upload-offset': String(session.offset), ...expiresHeader(session), 'content-length': '0' },
  };
}

/** `Upload-Concat: final;...`: the finished partial uploads, in order, become one file at once. */
async function concatenate(context: TusContext, req: CoreRequest, principal: Principal, ids: string[], meta: SessionMeta): Promise<CoreResponse> {
  if (req.headers['upload-length'] !== undefined) {
    throw new HttpError(400, 'bad_concat', 'a final upload (Upload-Concat: final) must not carry Upload-Length: its length is the sum of its parts');
  }
  let owner: string | undefined;
  for (const id of ids) {
    const found = await findUpload(context, principal, id);
    if (owner !== undefined && found.owner !== owner) throw new HttpError(400, 'bad_concat', 'the partial uploads belong to different users');
    owner = found.owner;
    const part = found.session;
    if (!part || !part.partial) throw new HttpError(400, 'bad_concat', `upload ${id} is not a partial upload (Upload-Concat: partial)`);
    if (part.length === undefined || part.offset !== part.length) {
      throw new HttpError(400, 'partial_unfinished', `the partial upload ${id} is not finished (${part.offset} of ${part.length ?? '?'} bytes)`);
    }
  }
  const finished = await concatenateUploads(context, req, owner!, ids, meta);
  await rememberParts(context.deps.backend.records, owner!, finished.record.id, ids);
  return finishedResponse(req, finished, 201, { location: uploadUrl(req.baseUrl, finished.record.id) });
}
