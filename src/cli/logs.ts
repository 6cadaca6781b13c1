import type { AuditEntry } from '../audit/entry.js';
import type { AuditSink } from '../audit/sink.js';
import { parseDuration, parseSince, type AuditFilter } from '../audit/query.js';
import { CliError } from './fail.js';
import { withBackend } from './local-backend.js';
import { printable, printableJson } from './target.js';

/** Runs `use` on the audit trail of the backend the settings name, then closes it. */
const withAuditTrail = <T>(configuration: string | undefined, use: (sink: AuditSink) => Promise<T>): Promise<T> =>
  withBackend(configuration, (backend) => use(backend.audit));

/** One entry as a line; every field goes through printable(): the trail holds what clients sent. */
function line(entry: AuditEntry): string {
  const text = (value: unknown) => printable(String(value));
  const columns = [
    text(entry.time),
    text(entry.outcome).padEnd(7),
    text(entry.action).padEnd(8),
    text(entry.user ?? '-').padEnd(12),
    text(entry.address ?? '-').padEnd(15),
  ];
  if (entry.hook) columns.push(`${text(entry.hook)} (${text(entry.via ?? '?')})`);
  if (entry.owner !== undefined) columns.push(`owner ${text(entry.owner)}`);
  if (entry.code) columns.push(text(entry.code));
  if (entry.id) columns.push(text(entry.id));
  if (entry.name !== undefined) columns.push(printable(JSON.stringify(entry.name)));
  if (entry.bytes !== undefined) columns.push(`${text(entry.bytes)} bytes`);
  if (entry.attempts !== undefined) columns.push(`${text(entry.attempts)} attempt(s)`);
  if (entry.reason !== undefined) columns.push(printable(JSON.stringify(entry.reason)));
  if (entry.suppressed !== undefined) columns.push(`${text(entry.suppressed)} more refused requests not written one by one`);
  if (entry.anonymized) columns.push('(anonymized)');
  return columns.join('  ');
}

export interface LogsOptions {
  user?: string;
  since?: string;
  action?: string;
  json?: boolean;
}

/** `bdfu logs`: the audit trail, oldest first; `--json` prints one JSON entry a line. */
export async function showLogs(configuration: string | undefined, options: LogsOptions): Promise<void> {
  const filter: AuditFilter = {};
  if (options.user !== undefined) filter.user = options.user;
  if (options.action !== undefined) filter.action = options.action;
  if (options.since !== undefined) {
    filter.since = parseSince(options.since);
    if (!filter.since) throw new CliError(`--since takes a duration like 7d, 12h, 30m, or a date like 2026-11-01, not ${JSON.stringify(options.since)}`);
  }
  const entries = await withAuditTrail(configuration, (sink) => sink.query(filter));
  const text = entries.map((entry) => (options.json ? printableJson(entry) : line(entry))).join('\n');
  process.stdout.write(text ? text + '\n' : '');
}

/** `bdfu logs anonymize --older-than 30d`. */
export async function anonymizeLogs(configuration: string | undefined, options: { olderThan: string }): Promise<void> {
  const seconds = parseDuration(options.olderThan);
  if (seconds === undefined) throw new CliError(`--older-than takes a duration like 30d, 12h or 2w, not ${JSON.stringify(options.olderThan)}`);
  const result = await withAuditTrail(configuration, (sink) => sink.anonymize(seconds));
  if (!result.ran) throw new CliError('another anonymize run is working on the audit trail; try again later');
  process.stdout.write(`bdfu: anonymized ${result.anonymized} of ${result.entries} audit entries older than ${options.olderThan}\n`);
}
