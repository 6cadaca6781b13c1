import type { Outcome } from '../core/app.js';
import type { CoreRequest } from '../core/types.js';
import type { AuditEntry } from './entry.js';
import type { AuditSink } from './sink.js';

/** Actions written to the trail when they succeed; every refused or failed request is written too. */
const RECORDED_ON_SUCCESS = new Set(['upload', 'download', 'delete', 'share', 'unshare', 'publish', 'unpublish', 'request-files', 'sign-in', 'storage-read', 'storage-write', 'storage-delete', 'storage-restore',
  'app-allow', 'app-deny', 'oauth-token', 'app-revoke']);

export type { Outcome };

/** The entry for one answered request, or undefined when the trail does not keep it. */
export function auditEntry(req: CoreRequest, action: string, outcome: Outcome, now = new Date()): AuditEntry | undefined {
  const refused = outcome.status >= 400 && outcome.status < 500;
  const failed = outcome.status >= 500;
  if (!refused && !failed && (req.method === 'HEAD' || !RECORDED_ON_SUCCESS.has(action))) return undefined;
  const facts = req.audit ?? {};
  const entry: AuditEntry = {
    time: now.toISOString(),
    user: facts.user ?? null,
    address: req.remoteAddress || null,
    action,
    outcome: refused ? 'refused' : failed ? 'failed' : 'ok',
  };
  if (facts.owner !== undefined && facts.owner !== entry.user) entry.owner = facts.owner;
  if (outcome.code !== undefined && (refused || failed)) entry.code = outcome.code;
  if (facts.id !== undefined) entry.id = facts.id;
  if (facts.name !== undefined) entry.name = facts.name;
  if (facts.bytes !== undefined) entry.bytes = facts.bytes;
  if (facts.link !== undefined) entry.link = facts.link;
  return entry;
}

/** Writes the request's line, if the trail keeps it. A trail that cannot be written is reported, never fatal. */
export async function recordRequest(sink: AuditSink, req: CoreRequest, action: string, outcome: Outcome, log: (e: unknown) => void): Promise<void> {
  const entry = auditEntry(req, action, outcome);
  if (entry) await recordEntry(sink, entry, log);
}

/** Writes one line; a trail that cannot be written is reported, never fatal. */
export async function recordEntry(sink: AuditSink, entry: AuditEntry, log: (e: unknown) => void): Promise<void> {
  try {
    await sink.append(entry);
  } catch (error) {
    // One line: during an outage this is said once per request, and a stack would say nothing more.
    log(`cannot write the audit trail: ${(error as Error).message}`);
  }
}
