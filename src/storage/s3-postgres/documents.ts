import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Pool, PoolClient } from 'pg';
import type { DocumentInfo, Documents, DocumentVersion, Folder, FolderItem, Precondition, PutOptions, Retention } from '../documents.js';
import { StorageError } from '../errors.js';
import type { ByteRange } from '../store.js';
import { userNameProblem } from '../user-name.js';
import { checkDocumentPath, foldersAbove, isDocumentPath, isFolderPath, parentOf } from './document-paths.js';
import { MultipartSink } from './multipart-sink.js';
import { partSizeFor } from '../s3/part-size.js';
import type { ObjectBytes } from './object-bytes.js';
import { postgresFailure } from '../postgres/errors.js';
import type { Database } from '../postgres/pool.js';
import { checkPrecondition } from './preconditions.js';
import { inTransaction } from './transaction.js';
import { checkQuota } from './usage.js';

interface DocumentRow {
  path: string;
  version: string;
  etag: string;
  content_type: string;
  size: string;
  modified: Date;
}

interface VersionRow {
  seq: string;
  path: string;
  version: string;
  etag: string;
  content_type: string;
  size: string;
  time: Date;
  app: string | null;
  deleted: boolean;
  object_key: string | null;
}

const newTag = (): string => randomBytes(16).toString('hex');

const toInfo = (row: DocumentRow): DocumentInfo => ({
  path: row.path, etag: row.etag, contentType: row.content_type, size: Number(row.size), modified: row.modified.toISOString(),
});

const toVersion = (row: VersionRow): DocumentVersion => ({
  version: row.version, etag: row.etag, size: Number(row.size), contentType: row.content_type, time: row.time.toISOString(),
  ...(row.app !== null ? { app: row.app } : {}),
  ...(row.deleted ? { deleted: true } : {}),
});

/** Serialises one user's document writes across every instance, for the length of the transaction. */
const lockUser = (client: PoolClient, user: string) =>
  client.query(`SELECT pg_advisory_xact_lock(hashtext('bdfu-documents'), hashtext($1))`, [user]);

/**
 * Keyed documents on S3 + PostgreSQL: every version's bytes are their own object
 * (`.documents/<user>/<version>`, never overwritten); the current version, the history and the
 * folders' ETags are rows, changed in one transaction that decides the precondition under the
 * user's lock (and the document's row lock), so racing writers on any instance see one winner.
 */
export class S3PgDocuments implements Documents {
  constructor(
    private readonly db: Database,
    private readonly objects: ObjectBytes,
  ) {}

  private keyOf(user: string, version: string): string {
    return `.documents/${user}/${version}`;
  }

  async stat(user: string, path: string): Promise<DocumentInfo | undefined> {
    if (!isDocumentPath(path)) return undefined;
    const row = await this.current(this.db.pool, user, path);
    return row ? toInfo(row) : undefined;
  }

  async get(user: string, path: string, range?: ByteRange): Promise<{ info: DocumentInfo; stream: Readable } | undefined> {
    if (!isDocumentPath(path)) return undefined;
    const row = await this.current(this.db.pool, user, path);
    if (!row) return undefined;
    const stream = await this.objects.get(this.keyOf(user, row.version), range);
    if (!stream) throw new StorageError('io', `the bytes of ${path} are missing from the bucket`);
    return { info: toInfo(row), stream };
  }

  async put(user: string, path: string, body: Readable, options: PutOptions): Promise<{ info: DocumentInfo; created: boolean }> {
    const problem = userNameProblem(user);
    if (problem) throw new StorageError('invalid', `the user name ${JSON.stringify(user.slice(0, 80))} ${problem}`, { details: { field: 'user' } });
    checkDocumentPath(path);
    // A quick look first, so a write bound to fail does not upload its bytes (decided again below, atomically).
    const before = await this.current(this.db.pool, user, path);
    checkPrecondition(before?.etag, options.precondition);
    await this.query((client) => this.checkShape(client, user, path));

    const version = newTag();
    const key = this.keyOf(user, version);
    const limit = options.maxBytes > 0 ? options.maxBytes : Infinity;
    const sink = new MultipartSink(this.objects, key, partSizeFor(options.maxBytes > 0 ? options.maxBytes : 0));
    try {
      await sink.writeAll(body, (chunk) => {
        if (sink.written + chunk.length > limit) {
          throw new StorageError('too_large', `the document is larger than the ${options.maxBytes} bytes allowed`);
        }
      });
      await sink.close();
      const size = sink.written;
      const now = new Date();
      return await inTransaction(this.db, async (client) => {
        await lockUser(client, user);
        const current = await this.current(client, user, path, true);
        checkPrecondition(current?.etag, options.precondition);
        await this.checkShape(client, user, path);
        await checkQuota(client, user, size, 0, options.quota);
        await client.query(
          `INSERT INTO bdfu_document_versions (username, path, version, etag, content_type, size, time, app, object_key)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
          [user, path, version, version, options.contentType, size, now, options.app ?? null, key]);
        const { rows } = await client.query<DocumentRow>(
          `INSERT INTO bdfu_documents (username, path, parent, version, etag, content_type, size, modified)
           VALUES ($1, $2, $3, $4, $4, $5, $6, $7)
           ON CONFLICT (username, path) DO UPDATE SET version = $4, etag = $4, content_type = $5, size = $6, modified = $7
           RETURNING *`,
          [user, path, parentOf(path), version, options.contentType, size, now]);
        await this.touchFolders(client, user, path, current ? 0 : 1);
        return { info: toInfo(rows[0]!), created: !current };
      });
    } catch (error) {
      await sink.abort();
      throw error;
    }
  }

  async remove(user: string, path: string, options: { precondition?: Precondition; app?: string }): Promise<DocumentInfo> {
    if (!isDocumentPath(path)) throw new StorageError('not_found', `no document at ${path}`);
    return inTransaction(this.db, async (client) => {
      await lockUser(client, user);
      const current = await this.current(client, user, path, true);
      if (!current) {
        checkPrecondition(undefined, options.precondition);
        throw new StorageError('not_found', `no document at ${path}`);
      }
      checkPrecondition(current.etag, options.precondition);
      await client.query(
        `INSERT INTO bdfu_document_versions (username, path, version, etag, content_type, size, time, app, deleted)
         VALUES ($1, $2, $3, $3, $4, 0, $5, $6, true)`,
        [user, path, newTag(), current.content_type, new Date(), options.app ?? null]);
      await client.query('DELETE FROM bdfu_documents WHERE username = $1 AND path = $2', [user, path]);
      await this.touchFolders(client, user, path, -1);
      return toInfo(current);
    });
  }

  async folder(user: string, path: string): Promise<Folder | undefined> {
    if (!isFolderPath(path)) return undefined;
    return this.query(async (client) => {
      const { rows: found } = await client.query<{ etag: string }>(
        'SELECT etag FROM bdfu_document_folders WHERE username = $1 AND path = $2', [user, path]);
      if (!found[0]) return undefined;
      const { rows: documents } = await client.query<DocumentRow>(
        'SELECT * FROM bdfu_documents WHERE username = $1 AND parent = $2', [user, path]);
      const { rows: folders } = await client.query<{ path: string; etag: string }>(
        'SELECT path, etag FROM bdfu_document_folders WHERE username = $1 AND parent = $2', [user, path]);
      const items: FolderItem[] = [
        ...documents.map((row) => ({
          name: row.path.slice(path.length), etag: row.etag, contentType: row.content_type, size: Number(row.size), modified: row.modified.toISOString(),
        })),
        ...folders.map((row) => ({ name: row.path.slice(path.length), etag: row.etag })),
      ].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      return { etag: found[0].etag, items };
    });
  }

  async history(user: string, path: string): Promise<DocumentVersion[]> {
    if (!isDocumentPath(path)) return [];
    const { rows } = await this.db.pool.query<VersionRow>(
      'SELECT * FROM bdfu_document_versions WHERE username = $1 AND path = $2 ORDER BY seq DESC', [user, path])
      .catch((error: unknown) => { throw postgresFailure(error, this.db.where); });
    return rows.map(toVersion);
  }

  async version(user: string, path: string, version: string): Promise<{ version: DocumentVersion; stream: Readable } | undefined> {
    if (!isDocumentPath(path)) return undefined;
    const { rows } = await this.db.pool.query<VersionRow>(
      'SELECT * FROM bdfu_document_versions WHERE username = $1 AND path = $2 AND version = $3', [user, path, version])
      .catch((error: unknown) => { throw postgresFailure(error, this.db.where); });
    const row = rows[0];
    if (!row) return undefined;
    if (row.object_key === null) return { version: toVersion(row), stream: Readable.from([]) };
    const stream = await this.objects.get(row.object_key);
    if (!stream) throw new StorageError('io', `the bytes of a version of ${path} are missing from the bucket`);
    return { version: toVersion(row), stream };
  }

  async prune(user: string, retention: Retention, now = new Date()): Promise<number> {
    if (retention.keepVersions <= 0 && retention.keepDays <= 0) return 0;
    const cutoff = new Date(now.getTime() - retention.keepDays * 86_400_000);
    const gone = await inTransaction(this.db, async (client) => {
      await lockUser(client, user);
      // Old versions with bytes: every one but a document's current one, newest first per path.
      const { rows } = await client.query<VersionRow & { rank: string }>(
        `SELECT v.*, row_number() OVER (PARTITION BY v.path ORDER BY v.seq DESC) AS rank
           FROM bdfu_document_versions v
          WHERE v.username = $1 AND NOT v.deleted
            AND NOT EXISTS (SELECT 1 FROM bdfu_documents d WHERE d.username = v.username AND d.path = v.path AND d.version = v.version)`,
        [user]);
      const doomed = rows.filter((row) =>
        (retention.keepVersions > 0 && Number(row.rank) > retention.keepVersions) || (retention.keepDays > 0 && row.time < cutoff));
      if (doomed.length === 0) return [];
      await client.query('DELETE FROM bdfu_document_versions WHERE seq = ANY($1)', [doomed.map((row) => row.seq)]);
      // A deleted document whose bytes are all gone leaves no history: its delete markers go too.
      await client.query(
        `DELETE FROM bdfu_document_versions m
          WHERE m.username = $1 AND m.deleted AND m.path = ANY($2)
            AND NOT EXISTS (SELECT 1 FROM bdfu_document_versions v WHERE v.username = m.username AND v.path = m.path AND NOT v.deleted)`,
        [user, [...new Set(doomed.map((row) => row.path))]]);
      return doomed;
    });
    for (const row of gone) if (row.object_key) await this.objects.remove(row.object_key).catch(() => undefined);
    return gone.length;
  }

  private async current(client: Pool | PoolClient, user: string, path: string, forUpdate = false): Promise<DocumentRow | undefined> {
    try {
      const { rows } = await client.query<DocumentRow>(
        `SELECT * FROM bdfu_documents WHERE username = $1 AND path = $2${forUpdate ? ' FOR UPDATE' : ''}`, [user, path]);
      return rows[0];
    } catch (error) {
      throw postgresFailure(error, this.db.where);
    }
  }

  /** 'conflict' when a document sits where a folder of `path` is, or a folder where `path` is. */
  private async checkShape(client: Pool | PoolClient, user: string, path: string): Promise<void> {
    const above = foldersAbove(path).slice(1).map((folder) => folder.slice(0, -1));
    const { rows } = await client.query<{ path: string }>(
      `SELECT path FROM bdfu_documents WHERE username = $1 AND path = ANY($2)
       UNION ALL SELECT path FROM bdfu_document_folders WHERE username = $1 AND path = $3`,
      [user, above, `${path}/`]);
    if (rows[0]) {
      throw new StorageError('conflict', rows[0].path.endsWith('/')
        ? `${path} is a folder; a document cannot have its name`
        : `${rows[0].path} is a document; it cannot be a folder of ${path}`);
    }
  }

  /** Every folder above `path` gets a new ETag; `count` documents more (or fewer) below it; emptied folders go. */
  private async touchFolders(client: PoolClient, user: string, path: string, count: number): Promise<void> {
    for (const folder of foldersAbove(path)) {
      await client.query(
        `INSERT INTO bdfu_document_folders (username, path, parent, etag, documents) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (username, path) DO UPDATE SET etag = $4, documents = bdfu_document_folders.documents + $5`,
        [user, folder, parentOf(folder), newTag(), count]);
    }
    if (count < 0) await client.query('DELETE FROM bdfu_document_folders WHERE username = $1 AND documents <= 0', [user]);
  }

  private async query<T>(work: (client: Pool) => Promise<T>): Promise<T> {
    try {
      return await work(this.db.pool);
    } catch (error) {
      throw postgresFailure(error, this.db.where);
    }
  }
}
