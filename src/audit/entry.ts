import { join } from 'node:path';

/** One line of the audit trail. */
export interface AuditEntry {
  time: string;
  user: string | null;
  address: string | null;
  action: string;
  /** Whose file it was, when not the user's own (an admin's action, a link download). */
  owner?: string;
  /** ok: done; refused: a 4xx; failed: a 5xx. */
  outcome: 'ok' | 'refused' | 'failed';
  /** The error code of a refused or failed request. */
  code?: string;
  id?: string;
  name?: string;
  bytes?: number;
  /** The share link, public short id or file request the request came through. */
  link?: string;
  /** Set on entries whose user and address were removed. */
  anonymized?: true;
}

/** The trail and its helpers live in STORAGE_DIR under dot names, which are never user directories. */
export const auditPaths = (storageDir: string) => ({
  log: join(storageDir, '.audit.jsonl'),
  /** While it exists (and is fresh), appenders wait: an anonymize run is swapping the log. */
  pause: join(storageDir, '.audit.pause'),
  /** One empty marker file per append in progress. */
  writers: join(storageDir, '.audit.writers'),
  /** The anonymize run's new log; created exclusively, so it is also that run's lock. */
  rewrite: join(storageDir, '.audit.jsonl.rewrite'),
});

/** A pause or writer marker older than this was left by a process that died. */
export const STALE_MS = 30_000;
