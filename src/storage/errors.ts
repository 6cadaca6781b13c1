/**
 * What storage says when it cannot do what was asked. Storage knows no HTTP: the status and
 * `code` a client sees are chosen in one place above it (routes/storage-failure.ts).
 */
export type StorageErrorKind =
  | 'not_found'
  /** The write does not fit what is there (wrong offset, a document where a folder is, a lock held). */
  | 'conflict'
  /** If-Match / If-None-Match (or an equivalent condition) did not hold. */
  | 'precondition_failed'
  /** Another writer holds the session; try again later. */
  | 'locked'
  /** The user's quota would be overshot. */
  | 'quota'
  /** The disk or bucket is full. */
  | 'full'
  /** More bytes than the write may hold (declared length, limit). */
  | 'too_large'
  /** A resumable session that expired (and may be swept). */
  | 'expired'
  /** A chunk whose checksum did not match; it was discarded. */
  | 'checksum_mismatch'
  /** A name storage never keeps (a user name that cannot be a directory, a bad key); details.field says which. */
  | 'invalid'
  /** The storage cannot be written by this process (permissions, not a directory): a set-up fault. */
  | 'unwritable'
  /** The backend cannot be reached now (PostgreSQL or S3 down); try again later. */
  | 'unavailable'
  /** A check the caller handed in (FinishOptions.beforeCommit) refused the bytes; they were discarded. The check's own error is the cause. */
  | 'rejected'
  /** Anything else the disk or the object store failed at. */
  | 'io';

export class StorageError extends Error {
  constructor(
    readonly kind: StorageErrorKind,
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'StorageError';
    this.details = options.details;
  }

  readonly details: Record<string, unknown> | undefined;
}

export const isStorageError = (value: unknown, kind?: StorageErrorKind): value is StorageError =>
  value instanceof StorageError && (kind === undefined || value.kind === kind);
