import type { AnonymizeResult } from './anonymize.js';
import { appendEntry } from './append.js';
import type { AuditEntry } from './entry.js';
import type { AuditFilter } from './query.js';
import type { AuditSink } from './sink.js';

/**
 * The audit trail as JSON lines in STORAGE_DIR/.audit.jsonl (append.ts, query.ts, anonymize.ts).
 * Reading and anonymizing load on first use: a CGI upload only appends.
 */
export class DiskAuditSink implements AuditSink {
  constructor(readonly storageDir: string) {}

  append(entry: AuditEntry): Promise<void> {
    return appendEntry(this.storageDir, entry);
  }

  async query(filter: AuditFilter, limit?: number): Promise<AuditEntry[]> {
    const { queryEntries } = await import('./query.js');
    return (await queryEntries(this.storageDir, filter, limit)).reverse();
  }

  async anonymize(olderThanSeconds: number, now?: number): Promise<AnonymizeResult> {
    const { anonymizeOlderThan } = await import('./anonymize.js');
    return anonymizeOlderThan(this.storageDir, olderThanSeconds, now);
  }
}
