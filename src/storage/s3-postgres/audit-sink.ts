import type { AnonymizeResult } from '../../audit/anonymize.js';
import type { AuditEntry } from '../../audit/entry.js';
import type { AuditFilter } from '../../audit/query.js';
import type { AuditSink } from '../../audit/sink.js';
import type { Database } from '../postgres/pool.js';

/** The audit trail as rows of bdfu_audit: the entry as JSON, with its time, user and action as columns to filter on. */
export class PostgresAuditSink implements AuditSink {
  constructor(private readonly db: Database) {}

  async append(entry: AuditEntry): Promise<void> {
    await this.db.query('INSERT INTO bdfu_audit (time, user_name, action, entry) VALUES ($1, $2, $3, $4)',
      [entry.time, entry.user, entry.action, JSON.stringify(entry)]);
  }

  /** The newest `limit` matching entries, oldest first (as the disk sink). */
  async query(filter: AuditFilter, limit?: number): Promise<AuditEntry[]> {
    const where: string[] = [];
    const values: unknown[] = [];
    if (filter.user !== undefined) where.push(`user_name = $${values.push(filter.user)}`);
    if (filter.action !== undefined) where.push(`action = $${values.push(filter.action)}`);
    if (filter.since !== undefined) where.push(`time >= $${values.push(filter.since)}`);
    const bounded = limit !== undefined && Number.isFinite(limit) ? ` LIMIT $${values.push(Math.max(0, Math.floor(limit)))}` : '';
    const rows = await this.db.query<{ entry: AuditEntry }>(
      `SELECT entry FROM bdfu_audit${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC${bounded}`, values);
    return rows.map((row) => row.entry).reverse();
  }

  /** One UPDATE: atomic with appends, so nothing appended meanwhile is lost. */
  async anonymize(olderThanSeconds: number, now = Date.now()): Promise<AnonymizeResult> {
    const cutoff = new Date(now - olderThanSeconds * 1000);
    return this.db.transaction(async (tx) => {
      const changed = await tx.query(
        `UPDATE bdfu_audit SET user_name = NULL,
                entry = entry || '{"user": null, "address": null, "anonymized": true}'::jsonb
          WHERE time < $1 AND (entry->'user' <> 'null'::jsonb OR entry->'address' <> 'null'::jsonb) RETURNING seq`, [cutoff]);
      const [{ n }] = (await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM bdfu_audit')) as [{ n: number }];
      return { ran: true, entries: n, anonymized: changed.length };
    });
  }
}
