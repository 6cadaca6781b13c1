import { DiskAuditSink } from '../../audit/disk-sink.js';
import type { AuditSink } from '../../audit/sink.js';
import type { StorageBackend } from '../backend.js';
import type { Capabilities } from '../capabilities.js';
import type { Documents } from '../documents.js';
import { FsStore } from '../fs-store.js';
import type { Records } from '../records.js';
import type { ResumableSessions } from '../sessions.js';
import type { Store } from '../store.js';
import { DiskDocuments } from './documents.js';
import { DiskRecords } from './records.js';
import { DiskSessions } from './sessions.js';

export interface DiskBackendOptions {
  /** STORAGE_DIR. */
  storageDir: string;
  /** An unfinished whole upload untouched this long is swept (STALE_UPLOAD_SECONDS). */
  staleUploadSeconds: number;
  /** Whole uploads; an FsStore on storageDir by default (tests put a failing one in front). */
  files?: Store;
  audit?: AuditSink;
  documents?: Documents;
  records?: Records;
}

/**
 * The embedded default: everything under STORAGE_DIR, in files every process on the host sees
 * (a server, or one CGI process per request), coordinated by O_EXCL lock files.
 */
export class DiskBackend implements StorageBackend {
  readonly kind = 'disk' as const;
  readonly capabilities: Capabilities;
  readonly files: Store;
  readonly sessions: ResumableSessions;
  readonly documents?: Documents;
  readonly records: Records;
  readonly audit: AuditSink;

  constructor(private readonly options: DiskBackendOptions) {
    this.files = options.files ?? new FsStore(options.storageDir);
    this.sessions = new DiskSessions(options.storageDir);
    const files = this.files;
    // Document bodies hold room through the files' reserve: one quota, one lock, files and documents alike.
    this.documents = options.documents ?? new DiskDocuments(options.storageDir, { reserve: files.reserve && ((user, bytes, quota, exact) => files.reserve!(user, bytes, quota, exact)) });
    this.records = options.records ?? new DiskRecords(options.storageDir);
    this.audit = options.audit ?? new DiskAuditSink(options.storageDir);
    this.capabilities = {
      quota: this.files.reserve !== undefined,
      sessions: true,
      concatenation: true,
      documents: this.documents !== undefined,
      presignedGet: false,
      sharedAcrossHosts: false,
    };
  }

  check(): Promise<void> {
    return this.files.check();
  }

  async sweep(): Promise<number> {
    const [files, sessions] = await Promise.all([this.files.sweep(this.options.staleUploadSeconds), this.sessions.sweep()]);
    return files + sessions;
  }

  async close(): Promise<void> {
    // Nothing held open between requests.
  }
}
