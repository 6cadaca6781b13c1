import type { CoreRequest } from '../core/types.js';
import { appendEntry } from './append.js';
import type { AuditEntry } from './entry.js';
import { countRefused, sweepRefusedCounters } from './rate-bound.js';

/** Actions written to the trail when they succeed; every refused or failed request is written too. */
const RECORDED_ON_SUCCESS = new Set(['upload', 'download', 'delete', 'share']);

export interface Outcome {
  status: number;
  /** The error code, for 4xx and 5xx answers. */
  code?: string;
}

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
  return entry;
}

export interface AuditLimits {
  /** AUDIT_REFUSED_PER_MINUTE: refused or failed entries written per client address and minute. */
  refusedPerMinute: number;
  /** AUDIT_MAX_BYTES: the log is rotated at this size. */
  maxBytes: number;
}

/** What to write for one entry: refused ones go through the per-address bound (rate-bound.ts). */
async function linesFor(storageDir: string, entry: AuditEntry, limits: AuditLimits | undefined, log: (e: unknown) => void): Promise<AuditEntry[]> {
  if (entry.outcome === 'ok' || !limits) return [entry];
  try {
    const verdict = await countRefused(storageDir, entry.address, limits.refusedPerMinute);
    return [...(verdict.summary ? [verdict.summary] : []), ...(verdict.write ? [entry] : [])];
  } catch (error) {
    log(new Error(`cannot count refused requests in ${storageDir}: ${(error as Error).message}`));
    return [entry];
  }
}

/** Writes the request's line, if the trail keeps it. A trail that cannot be written is reported, never fatal. */
export async function recordRequest(storageDir: string, req: CoreRequest, action: string, outcome: Outcome, log: (e: unknown) => void, limits?: AuditLimits): Promise<void> {
  const entry = auditEntry(req, action, outcome);
  if (!entry) return;
  try {
    for (const line of await linesFor(storageDir, entry, limits, log)) {
      await appendEntry(storageDir, line, limits ? { maxBytes: limits.maxBytes } : {});
    }
  } catch (error) {
    log(new Error(`cannot write the audit trail in ${storageDir}: ${(error as Error).message}`));
  }
}

/** The sweep's half of the bound: counters of past minutes go, their summaries are written. */
export async function sweepAuditCounters(storageDir: string, limits: AuditLimits, log: (e: unknown) => void): Promise<void> {
  try {
    for (const summary of await sweepRefusedCounters(storageDir, limits.refusedPerMinute)) {
      await appendEntry(storageDir, summary, { maxBytes: limits.maxBytes });
    }
  } catch (error) {
    log(new Error(`cannot sweep the audit trail's counters in ${storageDir}: ${(error as Error).message}`));
  }
}

export const auditLimits = (settings: { auditRefusedPerMinute: number; auditMaxBytes: number }): AuditLimits =>
  ({ refusedPerMinute: settings.auditRefusedPerMinute, maxBytes: settings.auditMaxBytes });
