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
  /** A summary line: this many more refused requests from `address` were not written one by one (see rate-bound.ts). */
  suppressed?: number;
  /** Entries of action `hook`: the event (`authorize:<action>` for authorize), who decided (library, command, url), and why it refused or failed. */
  hook?: string;
  via?: 'library' | 'command' | 'url';
  reason?: string;
  /** Entries of action `hook` for after-events: how many deliveries were tried. */
  attempts?: number;
  /** The share link, public short id or file request the request came through. */
  link?: string;
  /** Set on anonymized entries: only what anonymous-entry.ts keeps is left. */
  anonymized?: true;
}

/** The trail and its helpers live in STORAGE_DIR under dot names, which are never user directories. */
export const auditPaths = (storageDir: string) => ({
  log: join(storageDir, '.audit.jsonl'),
  /** The log before the last rotation (see rotate.ts). */
  previous: join(storageDir, '.audit.jsonl.1'),
  /** While it exists (and is fresh), appenders wait: an anonymize run is swapping the log. */
  pause: join(storageDir, '.audit.pause'),
  /** One empty marker file per append in progress. */
  writers: join(storageDir, '.audit.writers'),
  /** The anonymize run's new log; created exclusively, so it is also that run's lock. */
  rewrite: join(storageDir, '.audit.jsonl.rewrite'),
});

/** A pause or writer marker older than this was left by a process that died. */
export const STALE_MS = 30_000;
