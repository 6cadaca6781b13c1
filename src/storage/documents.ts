import type { Readable } from 'node:stream';
import type { ByteRange, Quota } from './store.js';

/**
 * Keyed documents (remoteStorage): a path like `/notes/2026/today.md` (a folder path ends with
 * `/`). Every write keeps the previous version. A folder's ETag changes whenever anything below
 * it changes.
 */
export interface DocumentInfo {
  path: string;
  /** Strong ETag, without quotes. */
  etag: string;
  contentType: string;
  size: number;
  modified: string;
}

export interface FolderItem {
  /** The child's name; a sub-folder's ends with `/`. */
  name: string;
  etag: string;
  /** Documents only. */
  contentType?: string;
  size?: number;
  modified?: string;
}

export interface Folder {
  etag: string;
  items: FolderItem[];
}

export interface DocumentVersion {
  /** Identifies this version for document(…, version) and restore. */
  version: string;
  etag: string;
  size: number;
  contentType: string;
  time: string;
  /** Which app (client id / token) wrote it, when known. */
  app?: string;
  /** The version that a DELETE made (no bytes). */
  deleted?: boolean;
}

/** `ifMatch`: the current ETag must be one of these; `ifNoneMatch`: '*' = must not exist, or none of these ETags. */
export interface Precondition {
  ifMatch?: readonly string[];
  ifNoneMatch?: '*' | readonly string[];
}

export interface PutOptions {
  contentType: string;
  precondition?: Precondition;
  app?: string;
  quota: Quota;
  maxBytes: number;
}

export interface Retention {
  /** Keep at most this many old versions per document (0: no limit). */
  keepVersions: number;
  /** Drop old versions older than this many days (0: no limit). */
  keepDays: number;
}

export interface Documents {
  stat(user: string, path: string): Promise<DocumentInfo | undefined>;
  get(user: string, path: string, range?: ByteRange): Promise<{ info: DocumentInfo; stream: Readable } | undefined>;
  /**
   * Decided atomically with other writers (other processes and instances): 'precondition_failed'
   * when the precondition does not hold, 'conflict' when a folder and a document would share a
   * name along the path, 'quota' / 'too_large' as for uploads.
   */
  put(user: string, path: string, body: Readable, options: PutOptions): Promise<{ info: DocumentInfo; created: boolean }>;
  /** 'not_found' when there is nothing; the removed document's last info otherwise. */
  remove(user: string, path: string, options: { precondition?: Precondition; app?: string }): Promise<DocumentInfo>;
  /** Undefined for a folder with nothing below it (empty folders do not exist). */
  folder(user: string, path: string): Promise<Folder | undefined>;
  /** Newest first, the current one included. */
  history(user: string, path: string): Promise<DocumentVersion[]>;
  version(user: string, path: string, version: string): Promise<{ version: DocumentVersion; stream: Readable } | undefined>;
  /** Drops old versions beyond `retention`; returns how many went. */
  prune(user: string, retention: Retention, now?: Date): Promise<number>;
}
