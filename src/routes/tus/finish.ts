import { noteAudit } from '../../core/audit-facts.js';
import { jsonResponse } from '../../core/respond.js';
import type { CoreRequest, CoreResponse } from '../../core/types.js';
import type { FinishOptions, Session, SessionMeta } from '../../storage/sessions.js';
import type { FileRecord } from '../../storage/store.js';
import { fileFormMeta } from './metadata.js';
import { fileUrl } from '../file-path.js';
import { publicRecord } from '../public-record.js';
import { FILE_LOCATION_HEADER, tusResumable } from './protocol.js';
import { sessionsOf, type TusContext } from './context.js';
import { keepUntil } from '../share-links/keep-until.js';
import { uploadExpiry } from '../share-links/upload-expiry.js';
import { expiryOf } from '../../sharing/expiry-records.js';

/** Whether the session holds every byte and should become a file now. */
export const readyToComplete = (session: Session) =>
  !session.partial && !session.file && session.length !== undefined && session.offset === session.length;

/** Whether the request that appended to this session ends the upload: it holds every byte, or became a file as it did. */
export const endsUpload = (session: Session) => session.file !== undefined || readyToComplete(session);

/** The headers that say where a finished upload's file is (on the last PATCH, and on HEAD after it). */
export function fileHeaders(req: CoreRequest, record: FileRecord): Record<string, string> {
  return {
    [FILE_LOCATION_HEADER]: fileUrl(req.baseUrl, record.user, record.id),
    'upload-offset': String(record.size),
    'upload-length': String(record.size),
  };
}

/** Audited as an upload, like a multipart one: same action, id, name and size. */
export function noteFinished(req: CoreRequest, record: FileRecord): void {
  noteAudit(req, { action: 'upload', id: record.id, name: record.name, bytes: record.size });
}

/**
 * The answer to the request that finished an upload: 200 (201 for a creation) with the file's
 * record as a multipart upload answers it, its download URL in Upload-File-Location.
 */
export function finishedResponse(req: CoreRequest, { record, expires }: Finished, status: 200 | 201, extra: Record<string, string> = {}): CoreResponse {
  noteFinished(req, record);
  return jsonResponse(status, { ...publicRecord(record), ...(expires ? { expires: expires.toISOString() } : {}) }, { ...tusResumable, ...fileHeaders(req, record), ...extra });
}

/** The Upload-Metadata key that says how long the finished file is kept, as `expires_in` does for a multipart upload. */
export const EXPIRES_IN = 'expires_in';

/** Session metadata from the client's Upload-Metadata pairs; a bad `expires_in` is refused before any byte is sent. */
export function sessionMeta(context: TusContext, pairs: Record<string, string>): SessionMeta {
  uploadExpiry(context.deps.settings, pairs[EXPIRES_IN], context.deps.now());
  return { ...fileFormMeta(pairs, context.deps.settings.maxFileNameBytes), extra: { ...pairs } };
}

/** The beforeCommit hook sees the finished bytes (on the disk, their file) before they become the owner's file. */
export function finishOptions(context: TusContext, req: CoreRequest, owner: string): FinishOptions {
  const hooks = context.deps.hooks;
  if (!hooks) return {};
  return {
    beforeCommit: ({ size, sha256, meta, path }) =>
      hooks.beforeCommit({ user: owner, name: meta.name, type: meta.type, size, sha256, ...(path !== undefined ? { path } : {}) }, req),
  };
}

/** A file made from an upload, and until when it is kept (none: for good). */
export interface Finished {
  record: FileRecord;
  expires: Date | undefined;
}

/** A file finished by an earlier request, as its answer repeats it. */
export async function finishedBefore(context: TusContext, record: FileRecord): Promise<Finished> {
  return { record, expires: await expiryOf(context.deps.backend.records, record.user, record.id) };
}

/** A file just made from an upload: kept until its retention (metadata `expires_in`, else the default), then told to afterUpload. */
async function madeFile(context: TusContext, req: CoreRequest, owner: string, record: FileRecord, meta: SessionMeta): Promise<Finished> {
  const expires = await keepUntil(context.deps, record, meta.extra[EXPIRES_IN]);
  context.deps.hooks?.after('afterUpload', { user: owner, record }, req);
  return { record, expires };
}

/**
 * A session that holds every byte becomes a file, as a multipart upload does: checked by
 * beforeCommit, told to afterUpload. A session its last append already made a file (with the
 * same check) is not completed again.
 */
export async function completeUpload(context: TusContext, req: CoreRequest, owner: string, session: Session): Promise<Finished> {
  const record = session.file ?? await sessionsOf(context).complete(owner, session.id, finishOptions(context, req, owner));
  return madeFile(context, req, owner, record, session.meta);
}

/** Finished partial uploads become one file (tus concatenation), with the same hooks. */
export async function concatenateUploads(context: TusContext, req: CoreRequest, owner: string, ids: readonly string[], meta: SessionMeta): Promise<Finished> {
  const record = await sessionsOf(context).concatenate(owner, ids, meta, context.quota, finishOptions(context, req, owner));
  return madeFile(context, req, owner, record, meta);
}
