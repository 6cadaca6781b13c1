import { createHash, type Hash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Pool, PoolClient } from 'pg';
import { StorageError } from '../errors.js';
import { checkBeforeCommit, type AppendOptions, type FinishOptions, type ResumableSessions, type Session, type SessionInit, type SessionMeta } from '../sessions.js';
import { QuotaExceededError, type FileRecord, type Quota } from '../store.js';
import { userNameProblem } from '../user-name.js';
import { MultipartSink } from './multipart-sink.js';
import { partSizeFor } from '../s3/part-size.js';
import type { ObjectBytes, UploadedPart } from './object-bytes.js';
import { postgresFailure } from '../postgres/errors.js';
import type { Database } from '../postgres/pool.js';
import { bytesIn, readStaged, SessionAppender, stagingPrefix, type SessionBytesState, type StagedChunk } from './session-bytes.js';
import { lockSession, withSessionLock } from './session-lock.js';
import { inTransaction, inTransactionOn } from './transaction.js';
import { checkQuota, roomLeft } from './usage.js';
import { newId } from '../new-id.js';

/** Where finished files go: the files store's object key and record table. */
export interface SessionFiles {
  keyOf(user: string, id: string): string;
  /** Inserts a finished file's record, inside the caller's transaction. */
  insert(client: PoolClient, record: FileRecord): Promise<void>;
}

interface Row {
  id: string;
  username: string;
  length: string | null;
  offset: string;
  meta: SessionMeta;
  created: Date;
  expires: Date;
  partial: boolean;
  held_bytes: string;
  held_files: number;
  part_size: string;
  target: string;
  upload_id: string | null;
  parts: UploadedPart[];
  staged: StagedChunk[];
  assembled: boolean;
  file: FileRecord | null;
}

const SESSION_ID = /^[0-9a-f]{32}$/;

const toSession = (row: Row): Session => ({
  id: row.id,
  user: row.username,
  ...(row.length === null ? {} : { length: Number(row.length) }),
  offset: Number(row.offset),
  meta: row.meta,
  created: row.created.toISOString(),
  expires: row.expires.toISOString(),
  partial: row.partial,
  ...(row.file ? { file: row.file } : {}),
});

const bytesState = (row: Row): SessionBytesState => ({
  target: row.target,
  uploadId: row.upload_id,
  parts: row.parts.map((part) => ({ ...part })),
  staged: row.staged.map((chunk) => ({ ...chunk })),
});

const notFound = () => new StorageError('not_found', 'no such upload');

/** Reads everything from a stream into a hash. */
async function hashOf(stream: Readable): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Resumable sessions on S3 + PostgreSQL. Rows in `bdfu_sessions`; bytes as parts of one multipart
 * upload per session at the finished file's key, with sub-part tails staged as objects under
 * `.sessions/<id>/` (every instance sees them; user names never start with a dot). One writer at a time: an advisory lock held on its
 * own connection, so it dies with its holder.
 */
export class S3PgSessions implements ResumableSessions {
  /** sha256 of each session's bytes so far, while this process wrote all of them. */
  private readonly running = new Map<string, { hash: Hash; offset: number }>();

  constructor(
    private readonly db: Database,
    private readonly objects: ObjectBytes,
    private readonly files: SessionFiles,
  ) {}

  async create(user: string, init: SessionInit): Promise<Session> {
    const problem = userNameProblem(user);
    if (problem) throw new StorageError('invalid', `the user name ${JSON.stringify(user.slice(0, 80))} ${problem}`, { details: { field: 'user' } });
    if (init.length !== undefined && init.maxBytes > 0 && init.length > init.maxBytes) {
      throw new StorageError('too_large', `the upload's length ${init.length} is more than the ${init.maxBytes} bytes allowed`);
    }
    const id = newId();
    const partial = init.partial === true;
    const heldBytes = init.length ?? 0;
    const heldFiles = partial ? 0 : 1;
    const target = partial ? `${stagingPrefix(id)}whole` : this.files.keyOf(user, id);
    const row = await inTransaction(this.db, async (client) => {
      await checkQuota(client, user, heldBytes, heldFiles, init.quota);
      const { rows } = await client.query<Row>(
        `INSERT INTO bdfu_sessions (id, username, length, meta, expires, partial, held_bytes, held_files, part_size, target)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING *`,
        [id, user, init.length ?? null, JSON.stringify(init.meta), init.expiresAt, partial, heldBytes, heldFiles,
          partSizeFor(init.length ?? init.maxBytes), target]);
      return rows[0]!;
    });
    return toSession(row);
  }

  async get(user: string, id: string): Promise<Session | undefined> {
    if (!SESSION_ID.test(id)) return undefined;
    try {
      const { rows } = await this.db.pool.query<Row>('SELECT * FROM bdfu_sessions WHERE id = $1 AND username = $2', [id, user]);
      return rows[0] ? toSession(rows[0]) : undefined;
    } catch (error) {
      throw postgresFailure(error, this.db.where);
    }
  }

  async setLength(user: string, id: string, length: number, options: { quota: Quota; maxBytes: number }): Promise<Session> {
    if (!SESSION_ID.test(id)) throw notFound();
    return withSessionLock(this.db, id, (client) => this.guard(() => inTransactionOn(client, async () => {
      const row = await this.writable(client, user, id);
      if (row.length !== null) throw new StorageError('conflict', 'the upload length is already set');
      const offset = Number(row.offset);
      if (length < offset) throw new StorageError('conflict', `the upload length ${length} is below the ${offset} bytes already received`);
      if (options.maxBytes > 0 && length > options.maxBytes) throw new StorageError('too_large', `the upload's length ${length} is more than the ${options.maxBytes} bytes allowed`);
      const held = Number(row.held_bytes);
      if (length > held) await checkQuota(client, user, length - held, 0, options.quota);
      const { rows } = await client.query<Row>(
        'UPDATE bdfu_sessions SET length = $2, held_bytes = $2 WHERE id = $1 RETURNING *', [id, length]);
      return toSession(rows[0]!);
    })));
  }

  async append(user: string, id: string, offset: number, body: Readable, options: AppendOptions): Promise<Session> {
    if (!SESSION_ID.test(id)) throw notFound();
    const lock = await lockSession(this.db, id);
    try {
      return await this.guard(() => this.appendLocked(lock.client, user, id, offset, body, options));
    } finally {
      await lock.release();
    }
  }

  private async appendLocked(client: PoolClient, user: string, id: string, offset: number, body: Readable, options: AppendOptions): Promise<Session> {
    const row = await this.writable(client, user, id);
    const start = Number(row.offset);
    if (offset !== start) throw new StorageError('conflict', `the upload is at offset ${start}, not ${offset}`, { details: { offset: start } });
    const deferred = row.length === null;
    const lengthLimit = !deferred ? Number(row.length) : options.maxBytes > 0 ? options.maxBytes : Infinity;
    // With a deferred length the quota is enforced as bytes arrive: the room left is held for this append.
    let limit = lengthLimit;
    let quotaBound = false;
    if (deferred && options.quota.bytes > 0) {
      const held = Number(row.held_bytes);
      const room = await inTransactionOn(client, async () => {
        const free = await roomLeft(client, user, options.quota);
        const extra = Math.max(0, Math.min(free, lengthLimit - held));
        await client.query('UPDATE bdfu_sessions SET held_bytes = held_bytes + $2 WHERE id = $1', [id, extra]);
        return extra;
      });
      if (held + room < lengthLimit) {
        limit = held + room;
        quotaBound = true;
      }
    }

    const known = this.running.get(id);
    const fileHash = known?.offset === start ? known.hash.copy() : start === 0 ? createHash('sha256') : undefined;
    this.running.delete(id);
    const chunkHash = options.checksum ? createHash(options.checksum.algorithm) : undefined;
    const eager = chunkHash === undefined;
    const commit = async (state: SessionBytesState) => {
      const reached = bytesIn(state);
      await client.query(
        'UPDATE bdfu_sessions SET "offset" = $2, upload_id = $3, parts = $4, staged = $5 WHERE id = $1',
        [id, reached, state.uploadId, JSON.stringify(state.parts), JSON.stringify(state.staged)]);
    };
    const appender = new SessionAppender(this.objects, id, bytesState(row), Number(row.part_size), commit, eager,
      async (uploadId) => { await client.query('UPDATE bdfu_sessions SET upload_id = $2 WHERE id = $1', [id, uploadId]); });

    let received = start;
    let overflow: Error | undefined;
    let bodyError: unknown;
    let writeError: unknown;
    const iterator = body[Symbol.asyncIterator]();
    for (;;) {
      let next: IteratorResult<unknown>;
      try {
        next = await iterator.next();
      } catch (error) {
        bodyError = error;
        break;
      }
      if (next.done) break;
      let chunk = next.value as Buffer;
      if (received + chunk.length > limit) {
        chunk = chunk.subarray(0, limit - received);
        overflow = quotaBound
          ? new QuotaExceededError(`quota exceeded: ${user} has room for ${limit} bytes of this upload`, options.quota.bytes - (limit - start), options.quota.bytes, 'bytes')
          : new StorageError('too_large', `the upload may hold ${limit} bytes; more arrived`);
      }
      received += chunk.length;
      fileHash?.update(chunk);
      chunkHash?.update(chunk);
      try {
        await appender.write(chunk);
      } catch (error) {
        writeError = error;
        break;
      }
      if (overflow) break;
    }
    if (overflow || writeError) body.destroy();

    const trimHeld = async () => {
      if (!deferred) return;
      await inTransactionOn(client, async () => {
        const { rows } = await client.query<{ held_bytes: string; offset: string }>(
          'SELECT held_bytes, "offset" FROM bdfu_sessions WHERE id = $1 FOR UPDATE', [id]);
        const held = Number(rows[0]!.held_bytes);
        const reached = Number(rows[0]!.offset);
        if (held > reached) {
          await client.query('UPDATE bdfu_sessions SET held_bytes = $2 WHERE id = $1', [id, reached]);
        }
      });
    };

    if (writeError) {
      await trimHeld().catch(() => undefined);
      throw writeError;
    }
    const failure = overflow ?? bodyError;
    if (chunkHash && options.checksum) {
      // All or nothing: the chunk counts only once its checksum is known to match.
      if (failure !== undefined) {
        await trimHeld();
        throw failure;
      }
      if (!chunkHash.digest().equals(options.checksum.digest)) {
        await trimHeld();
        throw new StorageError('checksum_mismatch', `the chunk's ${options.checksum.algorithm} checksum does not match; it was discarded`);
      }
    }
    await appender.finish();
    await trimHeld();
    if (fileHash) this.running.set(id, { hash: fileHash, offset: bytesIn(appender.state) });
    if (failure !== undefined) throw failure;
    const { rows } = await client.query<Row>('SELECT * FROM bdfu_sessions WHERE id = $1', [id]);
    return toSession(rows[0]!);
  }

  async complete(user: string, id: string, options: FinishOptions = {}): Promise<FileRecord> {
    if (!SESSION_ID.test(id)) throw notFound();
    return withSessionLock(this.db, id, (client) => this.guard(async () => {
      const { rows } = await client.query<Row>('SELECT * FROM bdfu_sessions WHERE id = $1 AND username = $2', [id, user]);
      const row = rows[0];
      if (!row) throw notFound();
      if (row.file) return row.file;
      if (row.partial) throw new StorageError('conflict', 'a partial upload becomes a file only by concatenation');
      if (row.length === null || Number(row.offset) !== Number(row.length)) {
        throw new StorageError('conflict', `the upload has ${row.offset} of ${row.length ?? 'an undeclared number of'} bytes; it is not complete`);
      }
      await this.assemble(client, row);
      const size = Number(row.length);
      const known = this.running.get(id);
      const sha256 = known?.offset === size ? known.hash.digest('hex') : await this.hashObject(row.target);
      this.running.delete(id);
      await checkBeforeCommit(options.beforeCommit, { size, sha256, meta: row.meta }, () => this.discard(client, row));
      const record: FileRecord = {
        id, user, name: row.meta.name, type: row.meta.type, size, sha256, uploaded: new Date().toISOString(),
        ...(row.meta.downloadTokenHash ? { downloadTokenHash: row.meta.downloadTokenHash } : {}),
      };
      await inTransactionOn(client, async () => {
        await this.files.insert(client, record);
        // What the session held becomes the file's usage (the file row counts from now on).
        await client.query(
          `UPDATE bdfu_sessions SET file = $2, held_bytes = 0, held_files = 0, upload_id = NULL, parts = '[]', staged = '[]' WHERE id = $1`,
          [id, JSON.stringify(record)]);
      });
      await this.removeStaging(id);
      return record;
    }));
  }

  async concatenate(user: string, partialIds: readonly string[], meta: SessionMeta, quota: Quota, options: FinishOptions = {}): Promise<FileRecord> {
    if (partialIds.length === 0) throw new StorageError('conflict', 'nothing to concatenate');
    if (new Set(partialIds).size !== partialIds.length) throw new StorageError('conflict', 'a partial upload is named twice');
    for (const id of partialIds) if (!SESSION_ID.test(id)) throw notFound();
    const lock = await lockSession(this.db, ...partialIds);
    const client = lock.client;
    try {
      return await this.guard(async () => {
        const rows: Row[] = [];
        for (const id of partialIds) {
          const { rows: found } = await client.query<Row>('SELECT * FROM bdfu_sessions WHERE id = $1 AND username = $2', [id, user]);
          const row = found[0];
          if (!row) throw new StorageError('not_found', `no such partial upload: ${id}`);
          if (!row.partial) throw new StorageError('conflict', `upload ${id} is not a partial upload`);
          if (row.length === null || Number(row.offset) !== Number(row.length)) throw new StorageError('conflict', `partial upload ${id} is not complete`);
          if (row.expires.getTime() <= Date.now()) throw new StorageError('expired', `partial upload ${id} has expired`);
          rows.push(row);
        }
        for (const row of rows) await this.assemble(client, row);
        const id = newId();
        const size = rows.reduce((sum, row) => sum + Number(row.length), 0);
        const sink = new MultipartSink(this.objects, this.files.keyOf(user, id), partSizeFor(size));
        const hash = createHash('sha256');
        try {
          for (const row of rows) {
            const stream = await this.objects.get(row.target);
            if (!stream) throw new StorageError('io', `the bytes of partial upload ${row.id} are missing from the bucket`);
            await sink.writeAll(stream, (chunk) => hash.update(chunk));
          }
          await sink.close();
          const sha256 = hash.digest('hex');
          // Refused: the partials go here, the concatenated object with the sink's abort below.
          await checkBeforeCommit(options.beforeCommit, { size, sha256, meta }, async () => {
            for (const row of rows) await this.discard(client, row);
          });
          const record: FileRecord = {
            id, user, name: meta.name, type: meta.type, size, sha256, uploaded: new Date().toISOString(),
            ...(meta.downloadTokenHash ? { downloadTokenHash: meta.downloadTokenHash } : {}),
          };
          await inTransactionOn(client, async () => {
            // The partials' held bytes become the file's; the file itself needs a place in the quota.
            await checkQuota(client, user, 0, 1, quota);
            await this.files.insert(client, record);
            await client.query('DELETE FROM bdfu_sessions WHERE id = ANY($1)', [partialIds]);
          });
          await Promise.all(partialIds.map((partial) => this.removeStaging(partial)));
          return record;
        } catch (error) {
          await sink.abort();
          throw error;
        }
      });
    } finally {
      await lock.release();
    }
  }

  async abort(user: string, id: string): Promise<boolean> {
    if (!SESSION_ID.test(id)) return false;
    return withSessionLock(this.db, id, (client) => this.guard(async () => {
      const { rows } = await client.query<Row>('SELECT * FROM bdfu_sessions WHERE id = $1 AND username = $2', [id, user]);
      if (!rows[0]) return false;
      await this.discard(client, rows[0]);
      return true;
    }));
  }

  async sweep(now = new Date()): Promise<number> {
    const { rows } = await this.db.pool.query<{ id: string }>('SELECT id FROM bdfu_sessions WHERE expires <= $1', [now])
      .catch((error: unknown) => { throw postgresFailure(error, this.db.where); });
    let swept = 0;
    for (const { id } of rows) {
      let lock;
      try {
        lock = await lockSession(this.db, id);
      } catch (error) {
        if (error instanceof StorageError && error.kind === 'locked') continue; // a writer is busy with it
        throw error;
      }
      try {
        const { rows: found } = await lock.client.query<Row>('SELECT * FROM bdfu_sessions WHERE id = $1 AND expires <= $2', [id, now]);
        if (found[0]) {
          await this.guard(() => this.discard(lock.client, found[0]!));
          swept += 1;
        }
      } finally {
        await lock.release();
      }
    }
    await this.sweepOrphanStaging();
    return swept;
  }

  /** Removes a session: its row and what it held (one transaction), then its staged objects and upload. */
  private async discard(client: PoolClient, row: Row): Promise<void> {
    await inTransactionOn(client, async () => {
      await client.query('DELETE FROM bdfu_sessions WHERE id = $1', [row.id]);
    });
    this.running.delete(row.id);
    if (row.file) return; // the file is the user's now
    if (row.upload_id) await this.objects.abortMultipart(row.target, row.upload_id);
    if (row.assembled && !row.partial) await this.objects.remove(row.target); // assembled, never recorded
    await this.removeStaging(row.id);
  }

  /** Staged objects whose session row is gone (a crash between the row's removal and theirs); not counted as sessions. */
  private async sweepOrphanStaging(): Promise<void> {
    const byId = new Map<string, string[]>();
    for await (const key of this.objects.list('.sessions/')) {
      const [, id = '', rest] = key.split('/');
      if (!SESSION_ID.test(id) || !rest) continue;
      byId.set(id, [...(byId.get(id) ?? []), key]);
    }
    if (byId.size === 0) return;
    const { rows } = await this.db.pool.query<{ id: string }>('SELECT id FROM bdfu_sessions WHERE id = ANY($1)', [[...byId.keys()]])
      .catch((error: unknown) => { throw postgresFailure(error, this.db.where); });
    const alive = new Set(rows.map((row) => row.id));
    for (const [id, keys] of byId) {
      if (alive.has(id)) continue;
      for (const key of keys) await this.objects.remove(key);
    }
  }

  private async removeStaging(id: string): Promise<void> {
    for await (const key of this.objects.list(stagingPrefix(id))) await this.objects.remove(key).catch(() => undefined);
  }

  /** Puts all of a session's bytes into one object at its target (once; recorded in the row). */
  private async assemble(client: PoolClient, row: Row): Promise<void> {
    if (row.assembled) return;
    const tail = await readStaged(this.objects, row.staged);
    if (row.parts.length === 0) {
      await this.objects.put(row.target, tail);
      if (row.upload_id) await this.objects.abortMultipart(row.target, row.upload_id);
    } else {
      const parts = [...row.parts];
      if (tail.length > 0) {
        const partNumber = parts.length + 1;
        parts.push({ partNumber, etag: await this.objects.uploadPart(row.target, row.upload_id!, partNumber, tail), size: tail.length });
      }
      try {
        await this.objects.completeMultipart(row.target, row.upload_id!, parts);
      } catch (error) {
        // Completed before, by a writer that died before it could say so.
        if (!(error instanceof StorageError && error.kind === 'not_found') || !(await this.objects.get(row.target, { start: 0, end: 0 }))) throw error;
      }
    }
    await client.query('UPDATE bdfu_sessions SET assembled = true, upload_id = NULL WHERE id = $1', [row.id]);
    row.assembled = true;
    row.upload_id = null;
  }

  private async hashObject(key: string): Promise<string> {
    const stream = await this.objects.get(key);
    if (!stream) throw new StorageError('io', `the upload's bytes are missing from the bucket (${key})`);
    return hashOf(stream);
  }

  /** A session that may still be written: the caller's, not finished, not expired. */
  private async writable(client: PoolClient, user: string, id: string): Promise<Row> {
    const { rows } = await client.query<Row>('SELECT * FROM bdfu_sessions WHERE id = $1 AND username = $2', [id, user]);
    const row = rows[0];
    if (!row) throw notFound();
    if (row.file) throw new StorageError('conflict', 'the upload is already complete');
    if (row.expires.getTime() <= Date.now()) throw new StorageError('expired', 'the upload has expired');
    return row;
  }

  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw postgresFailure(error, this.db.where);
    }
  }
}

