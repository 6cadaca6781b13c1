/**
 * Resumable sessions' tables (a migration step: appended to MIGRATIONS, applied once).
 * A session's bytes: committed multipart parts (`parts`, in an upload at `target`) followed by
 * staged objects (`staged`, each < one part, in order). Its offset is the sum of both.
 */
const STATEMENTS: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS bdfu_sessions (
    id text PRIMARY KEY,
    username text NOT NULL,
    length bigint,
    "offset" bigint NOT NULL DEFAULT 0,
    meta jsonb NOT NULL,
    created timestamptz NOT NULL DEFAULT now(),
    expires timestamptz NOT NULL,
    partial boolean NOT NULL DEFAULT false,
    held_bytes bigint NOT NULL DEFAULT 0,
    held_files integer NOT NULL DEFAULT 0,
    part_size bigint NOT NULL,
    target text NOT NULL,
    upload_id text,
    parts jsonb NOT NULL DEFAULT '[]',
    staged jsonb NOT NULL DEFAULT '[]',
    assembled boolean NOT NULL DEFAULT false,
    file jsonb
  )`,
  `CREATE INDEX IF NOT EXISTS bdfu_sessions_expires ON bdfu_sessions (expires)`,
  `CREATE INDEX IF NOT EXISTS bdfu_sessions_user ON bdfu_sessions (username)`,
];

export const SESSIONS_MIGRATION = { version: 20, name: 'resumable sessions', sql: STATEMENTS.join(';\n') };

/**
 * A session's metadata as JSON text, not jsonb: jsonb reorders an object's keys (shortest
 * first), and a tus HEAD must answer Upload-Metadata with the pairs in the order they were sent.
 */
export const SESSIONS_META_ORDER_MIGRATION = {
  version: 22,
  name: 'session metadata keeps its key order',
  sql: 'ALTER TABLE bdfu_sessions ALTER COLUMN meta TYPE json USING meta::json',
};
