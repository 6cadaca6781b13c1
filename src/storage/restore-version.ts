import type { DocumentInfo, Documents } from './documents.js';
import { pruneHistory, writeLimits, type DocumentWriteSettings } from './document-writes.js';
import { isStorageError, StorageError } from './errors.js';

/** Why a restore wrote nothing; each caller says it in its own words. */
export type RestoreRefusal = 'no_such_version' | 'version_is_deletion';

export const restoreRefusal = (error: unknown): RestoreRefusal | undefined =>
  isStorageError(error) ? (error.details?.refusal as RestoreRefusal | undefined) : undefined;

export interface RestoreRequest {
  user: string;
  path: string;
  version: string;
  /** Recorded as the new version's writer. */
  app: string;
  now: Date;
}

/**
 * A version's bytes written again as a new write (a new ETag, a version of its own), so apps see
 * the document change. A deletion has no bytes: 'conflict' with refusal 'version_is_deletion'; an
 * unknown version: 'not_found' with refusal 'no_such_version'.
 */
export async function restoreDocumentVersion(documents: Documents, settings: DocumentWriteSettings, request: RestoreRequest): Promise<DocumentInfo> {
  const { user, path, version } = request;
  const found = await documents.version(user, path, version);
  if (!found) throw new StorageError('not_found', `${path} of ${user} has no version ${version}`, { details: { refusal: 'no_such_version' } });
  if (found.version.deleted) {
    found.stream.destroy();
    throw new StorageError('conflict', `version ${version} is the deletion of ${path}`, { details: { refusal: 'version_is_deletion' } });
  }
  const { info } = await documents.put(user, path, found.stream, { contentType: found.version.contentType, app: request.app, ...writeLimits(settings) });
  await pruneHistory(documents, user, settings, request.now);
  return info;
}
