import { HttpError } from '../../core/http-error.js';
import type { RouteHandler } from '../../core/router.js';
import type { CoreRequest, CoreResponse } from '../../core/types.js';
import { isStorageError } from '../../storage/errors.js';
import type { Session } from '../../storage/sessions.js';
import type { RouteDeps } from '../deps.js';
import { admit, findUpload, maxBytes, sessionsOf, tusAnswer, tusContext, type TusContext } from './context.js';
import { completeUpload, endsUpload, finishedBefore, finishedResponse, finishOptions } from './finish.js';
import { expiredError, expiresHeader, isExpired } from './head.js';
import { byteCount, parseChecksum, TUS_CONTENT_TYPE, tusResumable } from './protocol.js';

/** PATCH {endpoint}tus/<id>: appends the body at Upload-Offset. */
export function createTusPatchHandler(deps: RouteDeps): RouteHandler {
  const context = tusContext(deps);
  return (req, params) => tusAnswer(() => patch(context, req, params.id!));
}

export function requireOctetStream(req: CoreRequest): void {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== TUS_CONTENT_TYPE) {
    throw new HttpError(415, 'unsupported_media_type', `send the bytes as Content-Type: ${TUS_CONTENT_TYPE}`);
  }
}

const tooLarge = (allowed: number, what: string) =>
  new HttpError(413, 'too_large', `${what} is more than the ${allowed} bytes allowed`, { details: { allowed } });

/** Checks what can be checked before a byte is read, declares a deferred length, then appends. */
export async function appendBody(context: TusContext, req: CoreRequest, owner: string, session: Session, offset: number, limit: number): Promise<Session> {
  const sessions = sessionsOf(context);
  const options = { quota: context.quota, maxBytes: limit };
  const declared = byteCount(req.headers, 'upload-length');
  let current = session;
  if (declared !== undefined) {
    if (current.length === undefined) {
      if (declared > limit) throw tooLarge(limit, 'Upload-Length');
      current = await sessions.setLength(owner, current.id, declared, options);
    } else if (declared !== current.length) {
      throw new HttpError(409, 'upload_length_fixed', `this upload's length is ${current.length} bytes and cannot change`);
    }
  }
  if (offset !== current.offset) {
    throw new HttpError(409, 'offset_mismatch', `Upload-Offset is ${offset}, but the upload is at ${current.offset}: ask for the offset (HEAD) and send from there`, {
      headers: { 'upload-offset': String(current.offset) },
    });
  }
  const chunk = byteCount(req.headers, 'content-length');
  const room = (current.length ?? limit) - offset;
  if (chunk !== undefined && chunk > room) throw tooLarge(current.length ?? limit, current.length === undefined ? 'the upload' : 'Upload-Offset + Content-Length');
  const checksum = parseChecksum(req.headers['upload-checksum']);
  req.acceptBody?.();
  try {
    return await sessions.append(owner, current.id, offset, req.body, {
      ...options, ...(checksum ? { checksum } : {}), complete: finishOptions(context, req, owner),
    });
  } catch (error) {
    if (isStorageError(error) || error instanceof HttpError) throw error;
    // The body failed (the client went away): what reached storage stays, and HEAD will say so.
    throw new HttpError(400, 'body_incomplete', `the request body ended early: ${(error as Error).message}`, { cause: error });
  }
}

export async function patch(context: TusContext, req: CoreRequest, id: string): Promise<CoreResponse> {
  const principal = await admit(context, req);
  requireOctetStream(req);
  const offset = byteCount(req.headers, 'upload-offset');
  if (offset === undefined) throw new HttpError(400, 'bad_tus_header', 'a PATCH needs the Upload-Offset header');
  const { owner, session, file } = await findUpload(context, principal, id);
  if (!session) {
    // A final (concatenated) upload, or a file that never was a session: nothing to append to.
    throw new HttpError(403, 'upload_final', 'this upload is finished (a concatenated upload): it cannot be appended to');
  }
  if (file) {
    if (offset === file.size && (byteCount(req.headers, 'content-length') ?? 0) === 0) return finishedResponse(req, await finishedBefore(context, file), 200);
    throw new HttpError(409, 'upload_finished', `this upload is finished at ${file.size} bytes`, { headers: { 'upload-offset': String(file.size) } });
  }
  if (isExpired(session)) throw expiredError();
  const updated = await appendBody(context, req, owner, session, offset, maxBytes(context, principal));
  if (endsUpload(updated)) {
    return finishedResponse(req, await completeUpload(context, req, owner, updated), 200);
  }
  return {
    status: 204,
    headers: { ...tusResumable, 'upload-offset': String(updated.offset), ...expiresHeader(updated) },
  };
}
