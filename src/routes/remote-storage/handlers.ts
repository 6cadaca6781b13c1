import { noteAudit } from '../../core/audit-facts.js';
import { HttpError } from '../../core/http-error.js';
import type { RouteHandler } from '../../core/router.js';
import type { CoreRequest, CoreResponse } from '../../core/types.js';
import type { Readable } from 'node:stream';
import { etagMatches, rangeStillValid } from '../../http/conditional.js';
import { parseRange } from '../../http/range.js';
import type { ByteRange } from '../../storage/store.js';
import { pruneHistory, writeLimits } from '../../storage/document-writes.js';
import type { DocumentInfo, Documents } from '../../storage/documents.js';
import type { RouteDeps } from '../deps.js';
import { admitted, documentsOf } from './admission.js';
import { quoted, writePrecondition } from './preconditions.js';
import type { StorageTarget } from './target.js';

const FOLDER_CONTEXT = 'http://remotestorage.io/spec/folder-description';
/** Every answer of the storage API: clients must revalidate (§4: Cache-Control: no-cache). */
const NO_CACHE = { 'cache-control': 'no-cache' };

/** Whether a GET/HEAD's If-None-Match names the current ETag (then: 304). */
const unchanged = (req: CoreRequest, etag: string) => req.headers['if-none-match'] !== undefined && etagMatches(req.headers['if-none-match'], quoted(etag));

const documentHeaders = (info: DocumentInfo) =>
  ({ ...NO_CACHE, etag: quoted(info.etag), 'content-type': info.contentType, 'last-modified': new Date(info.modified).toUTCString() });

async function getFolder(documents: Documents, req: CoreRequest, target: StorageTarget): Promise<CoreResponse> {
  const folder = await documents.folder(target.user, target.path);
  // An empty folder does not exist (§4); its listing is empty, with an ETag that says so.
  const etag = folder?.etag ?? 'empty';
  const headers = { ...NO_CACHE, etag: quoted(etag), 'content-type': 'application/ld+json' };
  if (unchanged(req, etag)) return { status: 304, headers };
  const items: Record<string, Record<string, string | number>> = {};
  for (const item of folder?.items ?? []) {
    items[item.name] = item.name.endsWith('/')
      ? { ETag: item.etag }
      : { ETag: item.etag, 'Content-Type': item.contentType!, 'Content-Length': item.size!, 'Last-Modified': new Date(item.modified!).toUTCString() };
  }
  const body = JSON.stringify({ '@context': FOLDER_CONTEXT, items });
  return { status: 200, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, body: req.method === 'HEAD' ? '' : body };
}

const notFound = (): never => {
  throw new HttpError(404, 'not_found', 'no such document');
};

/** One byte range of the document (RFC 9110 §14; advertised in WebFinger as rfc7233 "GET"); undefined: all of it. */
function requestedRange(req: CoreRequest, info: DocumentInfo): ByteRange | undefined {
  if (!rangeStillValid(req.headers, quoted(info.etag), new Date(info.modified))) return undefined;
  const outcome = parseRange(req.headers['range'], info.size);
  if (outcome.kind === 'unsatisfiable') {
    throw new HttpError(416, 'range_not_satisfiable', `the requested range lies outside the document (${info.size} bytes)`, { headers: { 'content-range': `bytes */${info.size}` } });
  }
  return outcome.kind === 'partial' ? outcome.range : undefined;
}

const sizeHeaders = (info: DocumentInfo, range: ByteRange | undefined) => ({
  ...documentHeaders(info),
  'accept-ranges': 'bytes',
  ...(range
    ? { 'content-length': String(range.end - range.start + 1), 'content-range': `bytes ${range.start}-${range.end}/${info.size}` }
    : { 'content-length': String(info.size) }),
});

/** The headers of what is sent, should a write have come in between the stat and the read. */
function sendDocument(req: CoreRequest, found: { info: DocumentInfo; stream: Readable }, range: ByteRange | undefined): CoreResponse {
  noteAudit(req, { bytes: range ? range.end - range.start + 1 : found.info.size });
  return { status: range ? 206 : 200, headers: sizeHeaders(found.info, range), body: found.stream };
}

/** GET / HEAD {endpoint}storage/<user>/<path>: a document's bytes (or one range of them), or a folder's listing. */
export function createStorageGetHandler(deps: RouteDeps): RouteHandler {
  return async (req, params) => {
    const target = await admitted(deps, req, params, false);
    const documents = documentsOf(deps);
    if (target.isFolder) return getFolder(documents, req, target);
    // A stat first: a revalidation (304, what syncing clients mostly get) then opens no bytes.
    const info = await documents.stat(target.user, target.path);
    if (!info) return notFound();
    if (unchanged(req, info.etag)) return { status: 304, headers: documentHeaders(info) };
    const range = requestedRange(req, info);
    if (req.method === 'HEAD') return { status: range ? 206 : 200, headers: sizeHeaders(info, range) };
    let found = await documents.get(target.user, target.path, range);
    // A write in between: the range was of the version that is gone; the new one whole.
    if (found && range && found.info.etag !== info.etag) {
      found.stream.destroy();
      found = await documents.get(target.user, target.path);
      return found ? sendDocument(req, found, undefined) : notFound();
    }
    return found ? sendDocument(req, found, range) : notFound();
  };
}

/** PUT {endpoint}storage/<user>/<document>: stores the body (any bytes, its Content-Type kept). */
export function createStoragePutHandler(deps: RouteDeps): RouteHandler {
  return async (req, params) => {
    const target = await admitted(deps, req, params, true);
    if (target.isFolder) throw new HttpError(400, 'bad_path', 'a PUT names a document, not a folder (no trailing /)');
    // §5: a PUT with Content-Range (a partial write) is refused.
    if (req.headers['content-range'] !== undefined) throw new HttpError(400, 'content_range_refused', 'a PUT may not carry Content-Range');
    const documents = documentsOf(deps);
    const precondition = writePrecondition(req.headers);
    req.acceptBody?.();
    const { info, created } = await documents.put(target.user, target.path, req.body, {
      contentType: req.headers['content-type'] ?? 'application/octet-stream',
      ...(precondition ? { precondition } : {}),
      ...(target.app ? { app: target.app } : {}),
      ...writeLimits(deps.settings),
    });
    noteAudit(req, { bytes: info.size });
    await pruneHistory(documents, target.user, deps.settings, new Date(deps.now()));
    return { status: created ? 201 : 200, headers: { ...NO_CACHE, etag: quoted(info.etag), 'content-length': '0' } };
  };
}

/** DELETE {endpoint}storage/<user>/<document>: removes it (its versions stay in the history). */
export function createStorageDeleteHandler(deps: RouteDeps): RouteHandler {
  return async (req, params) => {
    const target = await admitted(deps, req, params, true);
    if (target.isFolder) throw new HttpError(400, 'bad_path', 'a DELETE names a document, not a folder (no trailing /)');
    const precondition = writePrecondition(req.headers);
    const documents = documentsOf(deps);
    const info = await documents.remove(target.user, target.path, { ...(precondition ? { precondition } : {}), ...(target.app ? { app: target.app } : {}) });
    await pruneHistory(documents, target.user, deps.settings, new Date(deps.now()));
    return { status: 200, headers: { ...NO_CACHE, etag: quoted(info.etag), 'content-length': '0' } };
  };
}

/** OPTIONS without a CORS preflight's headers: what may be done here. */
export function createStorageOptionsHandler(): RouteHandler {
  return async () => ({ status: 204, headers: { allow: 'GET, HEAD, PUT, DELETE, OPTIONS', 'content-length': '0' } });
}
