import type { AnonymizeResult } from './anonymize.js';
import type { AuditEntry } from './entry.js';
import type { AuditFilter } from './query.js';

/** Where audit entries go and come back from: a JSON-lines file on disk, or a PostgreSQL table. */
export interface AuditSink {
  append(entry: AuditEntry): Promise<void>;
  /** The newest `limit` matching entries (all when no limit), oldest first. */
  query(filter: AuditFilter, limit?: number): Promise<AuditEntry[]>;
  anonymize(olderThanSeconds: number, now?: number): Promise<AnonymizeResult>;
}
