import type { AnonymizeResult } from './anonymize.js';
import { appendEntries } from './append.js';
import type { AuditEntry } from './entry.js';
import type { AuditFilter } from './query.js';
import { countRefused, sweepRefusedCounters } from './rate-bound.js';
import type { AuditSink } from './sink.js';

export interface AuditLimits {
  /** AUDIT_REFUSED_PER_MINUTE: refused or failed entries written per client address and minute. */
  refusedPerMinute: number;
  /** AUDIT_MAX_BYTES: the log is rotated at this size. */
  maxBytes: number;
}

export const auditLimits = (settings: { auditRefusedPerMinute: number; auditMaxBytes: number }): AuditLimits =>
  ({ refusedPerMinute: settings.auditRefusedPerMinute, maxBytes: settings.auditMaxBytes });

/**
 * The audit trail as JSON lines in STORAGE_DIR/.audit.jsonl (append.ts, query.ts, anonymize.ts),
 * rotated at `maxBytes`, refused requests bounded per address (rate-bound.ts).
 * Reading and anonymizing load on first use: a CGI upload only appends.
 */
export class DiskAuditSink implements AuditSink {
  constructor(readonly storageDir: string, readonly limits?: AuditLimits) {}

  async append(entry: AuditEntry): Promise<void> {
    await this.write(await this.linesFor(entry));
  }

  private async write(lines: AuditEntry[]): Promise<void> {
    if (lines.length) await appendEntries(this.storageDir, lines, this.limits ? { maxBytes: this.limits.maxBytes } : {});
  }

  /** What to write for one entry: refused ones go through the per-address bound. */
  private async linesFor(entry: AuditEntry): Promise<AuditEntry[]> {
    if (entry.outcome === 'ok' || !this.limits) return [entry];
    const verdict = await countRefused(this.storageDir, entry.address, this.limits.refusedPerMinute);
    return [...(verdict.summary ? [verdict.summary] : []), ...(verdict.write ? [entry] : [])];
  }

  /** The sweep's half of the bound: counters of past minutes go, their summaries are written. */
  async sweep(): Promise<void> {
    if (!this.limits) return;
    await this.write(await sweepRefusedCounters(this.storageDir, this.limits.refusedPerMinute));
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
