import { DOCUMENTS_MIGRATION } from './schema-documents.js';
import { SESSIONS_META_ORDER_MIGRATION, SESSIONS_MIGRATION } from './schema-sessions.js';

/**
 * The schema, as numbered steps applied in order, each once (bdfu_schema remembers which).
 * Append new steps; never edit one that was released.
 */
export const MIGRATIONS: ReadonlyArray<{ version: number; name: string; sql: string }> = [
  {
    version: 1,
    name: 'files, quota reservations, records, audit trail',
    sql: `
      -- One row per user that ever stored anything: locked (FOR UPDATE) to decide a quota.
      CREATE TABLE bdfu_users (
        name text PRIMARY KEY
      );
      -- Whole uploads that are complete: the bytes are the S3 object files/<user>/<id>.
      CREATE TABLE bdfu_files (
        user_name text NOT NULL,
        id text NOT NULL,
        name text NOT NULL,
        type text NOT NULL,
        size bigint NOT NULL,
        sha256 text NOT NULL,
        uploaded timestamptz NOT NULL,
        download_token_hash text,
        PRIMARY KEY (user_name, id)
      );
      -- Room held for uploads in flight (their id becomes the file's); touched as parts arrive.
      CREATE TABLE bdfu_reservations (
        id text PRIMARY KEY,
        user_name text NOT NULL,
        bytes bigint NOT NULL,
        created timestamptz NOT NULL DEFAULT now(),
        touched timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX bdfu_reservations_user ON bdfu_reservations (user_name);
      CREATE TABLE bdfu_records (
        collection text NOT NULL,
        key text NOT NULL,
        value jsonb NOT NULL,
        PRIMARY KEY (collection, key)
      );
      CREATE TABLE bdfu_audit (
        seq bigserial PRIMARY KEY,
        time timestamptz NOT NULL,
        user_name text,
        action text NOT NULL,
        entry jsonb NOT NULL
      );
      CREATE INDEX bdfu_audit_time ON bdfu_audit (time);
      -- Objects of removed files that S3 could not delete at the time: the sweep retries.
      CREATE TABLE bdfu_deletions (
        key text PRIMARY KEY
      );
    `,
  },
  SESSIONS_MIGRATION,
  DOCUMENTS_MIGRATION,
  SESSIONS_META_ORDER_MIGRATION,
];
