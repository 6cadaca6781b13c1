import type { Readable, Writable } from 'node:stream';
import { StorageError } from './errors.js';

export interface UploadMeta {
  /** The file name the client gave, kept for display and downloads, never used as a path. */
  name: string;
  type: string;
  /** SHA-256 (hex) of the file's download token, when the upload asked for one; never the token. */
  downloadTokenHash?: string;
}

export interface FileRecord {
  id: string;
  user: string;
  name: string;
  type: string;
  size: number;
  sha256: string;
  uploaded: string;
  downloadTokenHash?: string;
}

export interface WrittenFacts {
  size: number;
  sha256: string;
}

/** Per-user limits; 0 means no limit. */
export interface Quota {
  bytes: number;
  files: number;
}

/** Room held for one upload before its body is read; the upload must fit in `bytes`. */
export interface Reservation {
  readonly id: string;
  readonly user: string;
  readonly bytes: number;
  /** Gives the room back; safe to call more than once. */
  release(): Promise<void>;
}

/** The upload does not fit the user's quota; says how much is used and allowed (a StorageError of kind 'quota'). */
export class QuotaExceededError extends StorageError {
  constructor(
    message: string,
    readonly used: number,
    readonly allowed: number,
    readonly unit: 'bytes' | 'files',
  ) {
    super('quota', message, { details: { used, allowed, unit } });
    this.name = 'QuotaExceededError';
  }
}

/** An upload in progress. Its bytes become visible under `id` only when commit() resolves. */
export interface PendingWrite {
  readonly id: string;
  readonly stream: Writable;
  commit(facts: WrittenFacts): Promise<FileRecord>;
  /** Discards everything written; safe to call more than once, and after a failed commit. */
  abort(): Promise<void>;
}

export interface ByteRange {
  start: number;
  /** Inclusive. */
  end: number;
}

export interface OpenedFile {
  record: FileRecord;
  stream: Readable;
}

/**
 * Where files live. A file system renames a finished temporary file into place; an object
 * store completes a multipart upload. Both fit `begin` → write → `commit` | `abort`.
 */
export interface Store {
  /** Fails with a clear message when the storage cannot be written. */
  check(): Promise<void>;
  /**
   * Holds room for an upload of up to `bytes` against the user's quota, atomically with other
   * uploads (other processes too). `exact`: the upload needs all of `bytes`; otherwise it gets
   * what is left, up to `bytes`. Throws QuotaExceededError.
   */
  reserve?(user: string, bytes: number, quota: Quota, exact: boolean): Promise<Reservation>;
  /** Starts an upload, in the room `reservation` holds when given (the reservation's id becomes the file's). */
  begin(user: string, meta: UploadMeta, reservation?: Reservation): Promise<PendingWrite>;
  stat(user: string, id: string): Promise<FileRecord | undefined>;
  open(user: string, id: string, range?: ByteRange): Promise<OpenedFile | undefined>;
  list(user: string): AsyncIterable<FileRecord>;
  /** Every user that has a storage area (files or not), in no particular order. */
  users(): AsyncIterable<string>;
  remove(user: string, id: string): Promise<boolean>;
  /** Removes what crashed or abandoned uploads left behind; returns how many entries went. */
  sweep(olderThanSeconds: number, user?: string): Promise<number>;
}

export const FILE_ID = /^[0-9a-f]{32}$/;
