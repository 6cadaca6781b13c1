import { ConfigError } from '../config/config-error.js';
import { auditLimits } from '../audit/disk-sink.js';
import { s3PostgresEnabled } from '../config/s3-postgres-settings.js';
import type { Settings } from '../config/settings.js';
import type { StorageBackend } from '../storage/backend.js';
import { DiskBackend } from '../storage/disk/backend.js';
import { storageModes } from '../storage/file-modes.js';
import type { Store } from '../storage/store.js';

export interface BackendChoice {
  /** Whole uploads to use instead of the disk's own (a library user's Store, a test's failing one). */
  files?: Store;
}

/** The disk backend on STORAGE_DIR: built at once, nothing to connect to. */
export function diskBackend(settings: Settings, choice: BackendChoice = {}): StorageBackend {
  return new DiskBackend({
    storageDir: settings.storageDir,
    staleUploadSeconds: settings.staleUploadSeconds,
    modes: storageModes(settings.storageMode),
    auditLimits: auditLimits(settings),
    ...choice,
  });
}

/**
 * The backend the settings ask for, built once per process. Other backends load here, with
 * `await import()`, only when chosen: a CGI request on the disk loads no database or S3 client.
 */
export async function openBackend(settings: Settings, choice: BackendChoice = {}): Promise<StorageBackend> {
  if (s3PostgresEnabled(settings)) {
    if (choice.files) throw new ConfigError('a Store of your own cannot be combined with S3 + PostgreSQL (S3_* and DATABASE_URL): pass a backend instead');
    const { createS3PostgresBackend } = await import('../storage/s3-postgres/backend.js');
    return createS3PostgresBackend(settings);
  }
  return diskBackend(settings, choice);
}
