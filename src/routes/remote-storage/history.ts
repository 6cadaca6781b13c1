import { authorizeStorageOwner } from '../../auth/storage-policy.js';
import { noteAudit } from '../../core/audit-facts.js';
import { HttpError } from '../../core/http-error.js';
import { jsonResponse } from '../../core/respond.js';
import type { RouteHandler, RouteParams } from '../../core/router.js';
import type { CoreRequest } from '../../core/types.js';
import type { DocumentVersion } from '../../storage/documents.js';
import { restoreDocumentVersion, restoreRefusal } from '../../storage/restore-version.js';
import type { RouteDeps } from '../deps.js';
import { readJsonObject } from '../share-links/json-body.js';
import { admitted, documentsOf } from './admission.js';
import type { StorageTarget } from './target.js';

/** A document's versions are its owner's (reading needs the module's r, restoring rw), also under /public/. */
async function admittedDocument(deps: RouteDeps, req: CoreRequest, params: RouteParams, write: boolean): Promise<StorageTarget> {
  const target = await admitted(deps, req, params, write, authorizeStorageOwner);
  if (target.isFolder) throw new HttpError(400, 'bad_path', 'versions are kept per document: the path names a folder (trailing /)');
  return target;
}

const listed = (v: DocumentVersion): DocumentVersion => ({
  version: v.version, etag: v.etag, size: v.size, contentType: v.contentType, time: v.time,
  ...(v.app !== undefined ? { app: v.app } : {}),
  ...(v.deleted ? { deleted: true } : {}),
});

/** GET {endpoint}versions/<user>/<document>: its versions, newest first, the current one included. */
export function createVersionsGetHandler(deps: RouteDeps): RouteHandler {
  return async (req, params) => {
    const { user, path } = await admittedDocument(deps, req, params, false);
    const versions = await documentsOf(deps).history(user, path);
    if (versions.length === 0) throw new HttpError(404, 'not_found', `${user} has no document ${path}, and never had`);
    return jsonResponse(200, { user, path, versions: versions.map(listed) });
  };
}

/** A refused restore in HTTP's words; other failures are left to storage-failure.ts. */
function restoreFailure(error: unknown, version: string): unknown {
  switch (restoreRefusal(error)) {
    case 'no_such_version':
      return new HttpError(404, 'not_found', `there is no version ${version} of this document`, { cause: error });
    case 'version_is_deletion':
      return new HttpError(409, 'version_is_deletion', `version ${version} is the document's deletion: restore one before it`, { cause: error });
    default:
      return error;
  }
}

/** POST {endpoint}versions/<user>/<document> `{"version": "<id>"}`: that version's bytes, written again as a new version. */
export function createVersionsRestoreHandler(deps: RouteDeps): RouteHandler {
  return async (req, params) => {
    const { user, path } = await admittedDocument(deps, req, params, true);
    const { version } = await readJsonObject(req);
    if (typeof version !== 'string' || version === '') throw new HttpError(400, 'bad_json', 'the body must name the version: {"version": "<id>"}');
    const documents = documentsOf(deps);
    const info = await restoreDocumentVersion(documents, deps.settings, { user, path, version, app: 'bdfu web page', now: new Date(deps.now()) })
      .catch((error: unknown) => {
        throw restoreFailure(error, version);
      });
    noteAudit(req, { bytes: info.size });
    return jsonResponse(200, { path, restored: version, etag: info.etag, size: info.size });
  };
}
