import type { Readable } from 'node:stream';
import { StorageError } from './errors.js';
import type { FileRecord, Quota } from './store.js';

/** What a resumable session will become: the file's record fields, and the client's own metadata. */
export interface SessionMeta {
  /** The file name to keep (never used as a path). */
  name: string;
  type: string;
  /** The client's metadata as given (tus `Upload-Metadata` pairs, decoded). */
  extra: Record<string, string>;
  downloadTokenHash?: string;
}

export interface Session {
  /** 32 hex digits, the file id scheme: the finished file keeps this id. */
  id: string;
  user: string;
  /** Undefined while the length is deferred. */
  length?: number;
  /** Bytes that reached storage; always what a resumed client should send from. */
  offset: number;
  meta: SessionMeta;
  created: string;
  /** ISO time after which the session is refused ('expired') and may be swept. */
  expires: string;
  /** A part of a later concatenation; never becomes a file by itself. */
  partial: boolean;
  /** The finished file, once complete() (or concatenate()) succeeded. */
  file?: FileRecord;
}

export interface SessionInit {
  length?: number;
  meta: SessionMeta;
  expiresAt: Date;
  partial?: boolean;
  /** Held when the length is known; enforced as bytes arrive when it is deferred. */
  quota: Quota;
  /** The largest length allowed (MAX_UPLOAD_SIZE, the token's max_size). */
  maxBytes: number;
}

export type ChecksumAlgorithm = 'sha1' | 'md5' | 'sha256';

export interface AppendOptions {
  /** Verified over this chunk; on mismatch the chunk is discarded and 'checksum_mismatch' thrown. */
  checksum?: { algorithm: ChecksumAlgorithm; digest: Buffer };
  quota: Quota;
  maxBytes: number;
  /**
   * When this chunk ends the upload (its declared length reached, not a partial upload), a backend
   * may complete it in the same step, as complete() with these options would, and return the
   * session with its `file`. One that does not leaves it to complete(), which returns the file of
   * an upload already completed.
   */
  complete?: FinishOptions;
}

/** A finished session's bytes just before they become a file: what a beforeCommit check sees. */
export interface FinishedBytes {
  size: number;
  sha256: string;
  meta: SessionMeta;
  /** On the disk: the file that holds the bytes, readable while the check runs (a scanner reads it). */
  path?: string;
}

export interface FinishOptions {
  /**
   * Runs once every byte is in place and hashed, before the file exists. When it throws, the
   * bytes and the session(s) are discarded and 'rejected' is thrown, the check's error its cause.
   */
  beforeCommit?: (bytes: FinishedBytes) => Promise<void>;
}

/** Runs `check`; a refusal becomes 'rejected' once `discard` has removed what was staged. */
export async function checkBeforeCommit(check: FinishOptions['beforeCommit'], bytes: FinishedBytes, discard: () => Promise<unknown>): Promise<void> {
  if (!check) return;
  try {
    await check(bytes);
  } catch (error) {
    await discard();
    throw new StorageError('rejected', `the upload was refused before it was stored: ${(error as Error)?.message ?? String(error)}`, { cause: error });
  }
}

/**
 * Uploads that span many requests, processes and instances. One writer at a time per session:
 * append() takes the session's lock for the time it writes (a held lock is 'locked'), and a lock
 * whose holder died is free again within a bounded time.
 */
export interface ResumableSessions {
  create(user: string, init: SessionInit): Promise<Session>;
  /**
   * Optional: create() and every byte at once (tus creation-with-upload carrying the whole
   * upload), finished as append() with `complete` would finish it: the session with its `file`.
   * A body that fails or ends short leaves the session at the offset that reached storage, as
   * append() does, and returns it (no throw); more than `length` bytes is 'too_large'. Backends
   * without it are driven through create() and append().
   */
  createWhole?(user: string, init: SessionInit & { length: number }, body: Readable, options?: FinishOptions): Promise<Session>;
  /** Undefined for an unknown id, and for another user's session (it must not be told apart). */
  get(user: string, id: string): Promise<Session | undefined>;
  /** Declares a deferred length once; 'conflict' when already set or below the offset. */
  setLength(user: string, id: string, length: number, options: { quota: Quota; maxBytes: number }): Promise<Session>;
  /**
   * Writes `body` at `offset`: 'conflict' when offset is not the session's offset, 'too_large'
   * past the length or limit, 'expired' after its time. When the body fails midway, what reached
   * storage stays and the offset says so (unless a checksum was given: then the chunk goes).
   */
  append(user: string, id: string, offset: number, body: Readable, options: AppendOptions): Promise<Session>;
  /** Turns a session whose offset reached its length into a file (same id, record, sha256). */
  complete(user: string, id: string, options?: FinishOptions): Promise<FileRecord>;
  /** A new file made of finished partial sessions, in order; the partials are removed. */
  concatenate(user: string, partialIds: readonly string[], meta: SessionMeta, quota: Quota, options?: FinishOptions): Promise<FileRecord>;
  /** Removes the session, its staged bytes and the quota it held; false when there was none. */
  abort(user: string, id: string): Promise<boolean>;
  /** Removes sessions past their expiry; returns how many. */
  sweep(now?: Date): Promise<number>;
}
