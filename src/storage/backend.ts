import type { AuditSink } from '../audit/sink.js';
import type { Capabilities } from './capabilities.js';
import type { Documents } from './documents.js';
import type { Records } from './records.js';
import type { ResumableSessions } from './sessions.js';
import type { Store } from './store.js';

/**
 * Everything bdfu keeps, built once by the composition root from the settings: the disk
 * (STORAGE_DIR, the embedded default) or S3 for bytes + PostgreSQL for records and coordination.
 */
export interface StorageBackend {
  readonly kind: 'disk' | 's3-postgres';
  readonly capabilities: Capabilities;
  /** Whole uploads (multipart POST): visible only when complete. */
  readonly files: Store;
  readonly sessions?: ResumableSessions;
  readonly documents?: Documents;
  readonly records: Records;
  readonly audit: AuditSink;
  /** Start-up: reachable, writable, schema in place. Throws a StorageError naming what and where. */
  check(): Promise<void>;
  /** Removes what crashed uploads, expired sessions and aborted object uploads left; returns how many. */
  sweep(): Promise<number>;
  /** Closes connections (pools); the backend is not used afterwards. */
  close(): Promise<void>;
}
