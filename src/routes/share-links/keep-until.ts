import { setExpiry } from '../../sharing/expiry-records.js';
import type { FileRecord } from '../../storage/store.js';
import type { RouteDeps } from '../deps.js';
import { uploadExpiry } from './upload-expiry.js';

/**
 * Records when a stored upload expires (its `expires_in`, or the default); a bad value removes
 * the file again and refuses the upload, so nothing stays that was not asked for.
 */
export async function keepUntil(deps: RouteDeps, record: FileRecord, expiresIn: string | undefined): Promise<Date | undefined> {
  let expires: Date | undefined;
  try {
    expires = uploadExpiry(deps.settings, expiresIn, deps.now());
    if (expires) await setExpiry(deps.backend.records, record.user, record.id, expires);
  } catch (error) {
    await deps.backend.files.remove(record.user, record.id);
    throw error;
  }
  return expires;
}
