import type { Settings } from '../config/settings.js';
import type { Documents, PutOptions } from './documents.js';

/** The settings every document write obeys: the quota, MAX_UPLOAD_SIZE and the history's retention. */
export type DocumentWriteSettings = Pick<Settings, 'quotaBytes' | 'quotaFiles' | 'maxUploadSize' | 'documentVersionsKeep' | 'documentVersionsDays'>;

/** QUOTA_BYTES / QUOTA_FILES and MAX_UPLOAD_SIZE, as a document write takes them. */
export const writeLimits = (settings: DocumentWriteSettings): Pick<PutOptions, 'quota' | 'maxBytes'> =>
  ({ quota: { bytes: settings.quotaBytes, files: settings.quotaFiles }, maxBytes: settings.maxUploadSize });

/** Old versions beyond DOCUMENT_VERSIONS_KEEP / _DAYS go after each write of the user's. */
export async function pruneHistory(documents: Documents, user: string, settings: DocumentWriteSettings, now: Date): Promise<void> {
  const { documentVersionsKeep: keepVersions, documentVersionsDays: keepDays } = settings;
  if (keepVersions > 0 || keepDays > 0) await documents.prune(user, { keepVersions, keepDays }, now);
}
