import type { Settings } from '../config/settings.js';
import type { StorageBackend } from '../storage/backend.js';
import { DiskBackend } from '../storage/disk/backend.js';
import type { Store } from '../storage/store.js';

export interface BackendChoice {
  /** Whole uploads to use instead of the disk's own (a library user's Store, a test's failing one). */
  files?: Store;
}

/** The disk backend on STORAGE_DIR: built at once, nothing to connect to. */
export function diskBackend(settings: Settings, choice: BackendChoice = {}): StorageBackend {
  return new DiskBackend({ storageDir: settings.storageDir, staleUploadSeconds: settings.staleUploadSeconds, ...choice });
}

/**
 * The backend the settings ask for, built once per process. Other backends load here, with
 * `await import()`, only when chosen: a CGI request on the disk loads no database or S3 client.
 */
export async function openBackend(settings: Settings, choice: BackendChoice = {}): Promise<StorageBackend> {
  return diskBackend(settings, choice);
}
