import { finished } from 'node:stream/promises';
import { StorageError } from '../errors.js';
import type { Database, Transaction } from '../postgres/pool.js';
import type { S3Client } from '../s3/client.js';
import { startObjectWrite } from '../s3/object-write.js';
import { partsInFlightFor, partSizeFor } from '../s3/part-size.js';
import {
  FILE_ID, QuotaExceededError, type ByteRange, type FileRecord, type OpenedFile, type PendingWrite, type Quota,
  type Reservation, type Store, type UploadMeta, type WrittenFacts,
} from '../store.js';
import { assertValidUserName } from '../user-name.js';
import { FILES_PREFIX, fileKey, idOfFileKey } from './object-keys.js';
import { USAGE_SQL } from './usage.js';
import { newId } from '../new-id.js';

interface FileRow {
  user_name: string;
  id: string;
  name: string;
  type: string;
  size: number;
  sha256: string;
  uploaded: Date;
  download_token_hash: string | null;
}

const FILE_COLUMNS = 'user_name, id, name, type, size, sha256, uploaded, download_token_hash';

const toRecord = (row: FileRow): FileRecord => ({
  id: row.id, user: row.user_name, name: row.name, type: row.type, size: row.size, sha256: row.sha256,
  uploaded: row.uploaded.toISOString(),
  ...(row.download_token_hash ? { downloadTokenHash: row.download_token_hash } : {}),
});

const NO_QUOTA: Quota = { bytes: 0, files: 0 };

export interface S3PostgresFilesOptions {
  /** MAX_UPLOAD_SIZE: the part size is chosen so that an upload this large fits in 10,000 parts. */
  maxUploadBytes: number;
}

/**
 * Whole uploads on S3 + PostgreSQL. Bytes stream into an S3 multipart upload under
 * files/<user>/<id>; the record (bdfu_files) is inserted only once the object is complete, so
 * a file is visible only when whole. Quota: room is held as a row in bdfu_reservations, decided
 * under the user's row lock (FOR UPDATE), so instances never overshoot it together. What a
 * crash leaves (a reservation nobody touches, its multipart upload or object) is swept.
 */
export class S3PostgresFiles implements Store {
  private readonly partBytes: number;

  constructor(private readonly db: Database, private readonly s3: S3Client, options: S3PostgresFilesOptions) {
    this.partBytes = partSizeFor(options.maxUploadBytes);
  }

  async check(): Promise<void> {
    await this.db.query('SELECT 1 FROM bdfu_files LIMIT 1');
    await this.s3.headBucket();
  }

  async reserve(user: string, bytes: number, quota: Quota, exact: boolean): Promise<Reservation> {
    assertValidUserName(user);
    const id = newId();
    const granted = await this.db.transaction(async (tx) => {
      await tx.query('INSERT INTO bdfu_users (name) VALUES ($1) ON CONFLICT DO NOTHING', [user]);
      let room = bytes;
      if (quota.bytes > 0 || quota.files > 0) {
        await tx.query('SELECT name FROM bdfu_users WHERE name = $1 FOR UPDATE', [user]);
        room = await roomLeft(tx, user, bytes, quota, exact);
      }
      await tx.query('INSERT INTO bdfu_reservations (id, user_name, bytes) VALUES ($1, $2, $3)', [id, user, room]);
      return room;
    });
    let released = false;
    return {
      id, user, bytes: granted,
      release: async () => {
        if (released) return;
        released = true;
        // When PostgreSQL is down the row stays until the sweep finds it untouched.
        await this.db.query('DELETE FROM bdfu_reservations WHERE id = $1', [id]).catch(() => undefined);
      },
    };
  }

  async begin(user: string, meta: UploadMeta, reservation?: Reservation): Promise<PendingWrite> {
    assertValidUserName(user);
    const held = reservation ?? (await this.reserve(user, 0, NO_QUOTA, false));
    if (held.user !== user) throw new Error('the reservation is for another user');
    const { id } = held;
    const key = fileKey(user, id);
    const write = startObjectWrite(this.s3, key, {
      partBytes: this.partBytes,
      partsInFlight: partsInFlightFor(this.partBytes),
      contentType: 'application/octet-stream',
      onPart: () => this.db.query('UPDATE bdfu_reservations SET touched = now() WHERE id = $1', [id]),
    });
    let settled = false;

    const abort = async () => {
      if (settled) return;
      settled = true;
      // When S3 or PostgreSQL is down, what is left (upload, reservation) is swept later.
      await write.abort().catch(() => undefined);
      await held.release();
    };

    const commit = async (facts: WrittenFacts): Promise<FileRecord> => {
      if (settled) throw new Error('upload already finished');
      const record: FileRecord = {
        id, user, name: meta.name, type: meta.type, size: facts.size, sha256: facts.sha256,
        uploaded: new Date().toISOString(),
        ...(meta.downloadTokenHash ? { downloadTokenHash: meta.downloadTokenHash } : {}),
      };
      try {
        // As on the disk: the writer may commit right after end(); the last part is still in flight.
        if (!write.stream.writableEnded) write.stream.end();
        if (!write.stream.writableFinished) await finished(write.stream);
        await write.complete();
      } catch (error) {
        await abort();
        throw error;
      }
      try {
        await this.db.transaction(async (tx) => {
          await tx.query('DELETE FROM bdfu_reservations WHERE id = $1', [id]);
          await tx.query(`INSERT INTO bdfu_files (${FILE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
            [user, id, record.name, record.type, record.size, record.sha256, record.uploaded, record.downloadTokenHash ?? null]);
        });
      } catch (error) {
        settled = true;
        // The object has no record: remove it now, or (S3 down too) the sweep does once the
        // reservation, still there, is stale.
        await this.s3.deleteObject(key).then(() => held.release(), () => undefined);
        throw error;
      }
      settled = true;
      await held.release();
      return record;
    };
    return { id, stream: write.stream, commit, abort };
  }

  async stat(user: string, id: string): Promise<FileRecord | undefined> {
    if (!FILE_ID.test(id)) return undefined;
    assertValidUserName(user);
    const rows = await this.db.query<FileRow>(`SELECT ${FILE_COLUMNS} FROM bdfu_files WHERE user_name = $1 AND id = $2`, [user, id]);
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  async open(user: string, id: string, range?: ByteRange): Promise<OpenedFile | undefined> {
    const record = await this.stat(user, id);
    if (!record) return undefined;
    const body = await this.s3.getObject(fileKey(user, id), range);
    if (!body) throw new StorageError('io', `the bytes of ${user}/${id} are missing from ${this.s3.where}`);
    return { record, stream: body.stream };
  }

  async *list(user: string): AsyncIterable<FileRecord> {
    assertValidUserName(user);
    const rows = await this.db.query<FileRow>(`SELECT ${FILE_COLUMNS} FROM bdfu_files WHERE user_name = $1 ORDER BY id`, [user]);
    for (const row of rows) yield toRecord(row);
  }

  async *users(): AsyncIterable<string> {
    for (const row of await this.db.query<{ name: string }>('SELECT name FROM bdfu_users')) yield row.name;
  }

  /** The record goes first (the file is gone for everyone at once), then the bytes; bytes left by an S3 outage are swept. */
  async remove(user: string, id: string): Promise<boolean> {
    if (!FILE_ID.test(id)) return false;
    assertValidUserName(user);
    const key = fileKey(user, id);
    const removed = await this.db.transaction(async (tx) => {
      const rows = await tx.query('DELETE FROM bdfu_files WHERE user_name = $1 AND id = $2 RETURNING id', [user, id]);
      if (rows.length > 0) await tx.query('INSERT INTO bdfu_deletions (key) VALUES ($1) ON CONFLICT DO NOTHING', [key]);
      return rows.length > 0;
    });
    if (!removed) return false;
    try {
      await this.s3.deleteObject(key);
      await this.db.query('DELETE FROM bdfu_deletions WHERE key = $1', [key]);
    } catch {
      // bdfu_deletions keeps the key: the sweep deletes the bytes once S3 answers.
    }
    return true;
  }

  /**
   * Removes what crashes and outages left: reservations untouched for `olderThanSeconds` (with
   * their multipart uploads, and an object completed but never recorded), multipart uploads
   * nobody holds, and the bytes of removed files S3 could not delete at the time.
   */
  async sweep(olderThanSeconds: number, user?: string): Promise<number> {
    let removed = 0;
    const stale = await this.db.query<{ id: string; user_name: string }>(
      `SELECT id, user_name FROM bdfu_reservations WHERE touched < now() - make_interval(secs => $1)${user !== undefined ? ' AND user_name = $2' : ''}`,
      user !== undefined ? [olderThanSeconds, user] : [olderThanSeconds]);
    const staleIds = new Set(stale.map((row) => row.id));
    const prefix = user !== undefined ? `${FILES_PREFIX}${user}/` : FILES_PREFIX;
    for await (const upload of this.s3.listMultipartUploads(prefix)) {
      const id = idOfFileKey(upload.key);
      if (id === undefined) continue;
      const oldEnough = upload.initiated.getTime() < Date.now() - olderThanSeconds * 1000;
      // A resumable session's multipart upload lives as long as the session (swept with it).
      const held = !staleIds.has(id) && (await this.db.query(
        'SELECT 1 FROM bdfu_reservations WHERE id = $1 UNION ALL SELECT 1 FROM bdfu_sessions WHERE id = $1', [id])).length > 0;
      if (held || (!staleIds.has(id) && !oldEnough)) continue;
      await this.s3.abortMultipartUpload(upload.key, upload.uploadId);
      removed++;
    }
    for (const row of stale) {
      const recorded = (await this.db.query('SELECT 1 FROM bdfu_files WHERE user_name = $1 AND id = $2', [row.user_name, row.id])).length > 0;
      if (!recorded) await this.s3.deleteObject(fileKey(row.user_name, row.id));
      await this.db.query('DELETE FROM bdfu_reservations WHERE id = $1 AND touched < now() - make_interval(secs => $2)', [row.id, olderThanSeconds]);
      removed++;
    }
    for (const { key } of await this.db.query<{ key: string }>('SELECT key FROM bdfu_deletions')) {
      await this.s3.deleteObject(key);
      await this.db.query('DELETE FROM bdfu_deletions WHERE key = $1', [key]);
      removed++;
    }
    return removed;
  }
}

/** The room a new upload gets under the quota (uploads in flight included), or QuotaExceededError. */
async function roomLeft(tx: Transaction, user: string, bytes: number, quota: Quota, exact: boolean): Promise<number> {
  // Resumable sessions and document versions count too (usage.ts).
  const [used] = await tx.query<{ bytes: number; files: number }>(USAGE_SQL, [user]);
  const { bytes: usedBytes, files: usedFiles } = { bytes: Number(used!.bytes), files: Number(used!.files) };
  if (quota.files > 0 && usedFiles + 1 > quota.files) {
    throw new QuotaExceededError(`quota exceeded: ${user} has ${usedFiles} of ${quota.files} files allowed (uploads in flight included)`,
      usedFiles, quota.files, 'files');
  }
  if (quota.bytes === 0) return bytes;
  const left = quota.bytes - usedBytes;
  if (left <= 0 || (exact && bytes > left)) {
    throw new QuotaExceededError(
      `quota exceeded: ${user} uses ${usedBytes} of ${quota.bytes} bytes allowed (uploads in flight included)` +
        (exact ? `, and this upload needs ${bytes}` : ''),
      usedBytes, quota.bytes, 'bytes');
  }
  return Math.min(bytes, left);
}
