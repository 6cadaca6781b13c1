import { openBackend } from '../assembly/backend.js';
import type { AuditEntry } from '../audit/entry.js';
import type { AuditSink } from '../audit/sink.js';
import { parseDuration, parseSince, type AuditFilter } from '../audit/query.js';
import { ConfigError } from '../config/config-error.js';
import { DEFAULT_STORAGE_DIR } from '../config/embedded-default.js';
import { loadConfig } from '../config/load.js';
import type { Settings } from '../config/settings.js';
import { StorageError } from '../storage/errors.js';
import { CliError } from './fail.js';

// Reading the trail needs no secret; this only satisfies the loader when none is configured.
const SECRET_NOT_NEEDED = 'bdfu-logs-reads-no-tokens';

function settingsOf(configuration: string | undefined): Settings {
  try {
    return loadConfig({ file: configuration, fallbacks: { storageDir: DEFAULT_STORAGE_DIR, jwtSecretKey: SECRET_NOT_NEEDED } }).settings;
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message);
    throw error;
  }
}

/** Runs `use` on the audit trail of the backend the settings name, then closes it. */
async function withAuditTrail<T>(configuration: string | undefined, use: (sink: AuditSink) => Promise<T>): Promise<T> {
  const backend = await openBackend(settingsOf(configuration));
  try {
    return await use(backend.audit);
  } catch (error) {
    if (error instanceof StorageError) throw new CliError(error.message);
    throw error;
  } finally {
    await backend.close();
  }
}

function line(entry: AuditEntry): string {
  const columns = [
    entry.time,
    entry.outcome.padEnd(7),
    entry.action.padEnd(8),
    (entry.user ?? '-').padEnd(12),
    (entry.address ?? '-').padEnd(15),
  ];
  if (entry.code) columns.push(entry.code);
  if (entry.id) columns.push(entry.id);
  if (entry.name !== undefined) columns.push(JSON.stringify(entry.name));
  if (entry.bytes !== undefined) columns.push(`${entry.bytes} bytes`);
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
  const text = entries.map((entry) => (options.json ? JSON.stringify(entry) : line(entry))).join('\n');
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
