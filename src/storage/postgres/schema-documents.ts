/**
 * Keyed documents' tables (a migration step: appended to MIGRATIONS, applied once).
 * `bdfu_documents`: the current version of each existing document. `bdfu_document_versions`:
 * every version ever written (delete markers too) until pruned; bytes in the bucket at
 * `object_key`. `bdfu_document_folders`: each non-empty folder with its ETag and how many
 * documents are below it (a folder whose count drops to 0 is removed: empty folders do not exist).
 */
const STATEMENTS: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS bdfu_document_versions (
    seq bigserial PRIMARY KEY,
    username text NOT NULL,
    path text NOT NULL,
    version text NOT NULL UNIQUE,
    etag text NOT NULL,
    content_type text NOT NULL,
    size bigint NOT NULL,
    time timestamptz NOT NULL,
    app text,
    deleted boolean NOT NULL DEFAULT false,
    object_key text
  )`,
  `CREATE INDEX IF NOT EXISTS bdfu_document_versions_path ON bdfu_document_versions (username, path, seq)`,
  `CREATE TABLE IF NOT EXISTS bdfu_documents (
    username text NOT NULL,
    path text NOT NULL,
    parent text NOT NULL,
    version text NOT NULL,
    etag text NOT NULL,
    content_type text NOT NULL,
    size bigint NOT NULL,
    modified timestamptz NOT NULL,
    PRIMARY KEY (username, path)
  )`,
  `CREATE INDEX IF NOT EXISTS bdfu_documents_parent ON bdfu_documents (username, parent)`,
  `CREATE TABLE IF NOT EXISTS bdfu_document_folders (
    username text NOT NULL,
    path text NOT NULL,
    parent text NOT NULL,
    etag text NOT NULL,
    documents bigint NOT NULL,
    PRIMARY KEY (username, path)
  )`,
  `CREATE INDEX IF NOT EXISTS bdfu_document_folders_parent ON bdfu_document_folders (username, parent)`,
];

export const DOCUMENTS_MIGRATION = { version: 21, name: 'keyed documents, versions, folders', sql: STATEMENTS.join(';\n') };
