import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { DocumentInfo, DocumentVersion } from '../documents.js';
import { userNameProblem } from '../user-name.js';
import { readJson } from './atomic-file.js';
import { fileNameFor } from './file-names.js';

/**
 * Where one user's documents live: STORAGE_DIR/.documents/<user>/
 *   tree/                   the current documents as a tree: a folder is a directory (its ETag
 *                           in `.etag`), a document a small JSON file (its current version);
 *                           each segment's file name is fileNameFor(segment)
 *   history/<sha256>.json   every version of one path, newest first (`{ path, versions }`)
 *   blobs/<version>         the bytes of every version kept, never changed once written
 *   usage.json              `{ bytes }`: the bytes all versions hold (for the quota)
 *   .lock                   held by every write (O_EXCL, taken over when its holder died)
 *   .intent                 the write in progress; a crash leaves it, the next write repairs
 */
export interface DocumentsArea {
  base: string;
  tree: string;
  history: string;
  blobs: string;
  usage: string;
  lock: string;
  intent: string;
}

export interface StoredHistory {
  path: string;
  /** Newest first; the first is the current document, or the deletion that removed it. */
  versions: DocumentVersion[];
}

/** The tree's file for a document: its current version. */
export type StoredDocument = DocumentInfo & { version: string };

export function documentsArea(storageDir: string, user: string): DocumentsArea {
  const problem = userNameProblem(user);
  if (problem) throw new RangeError(`the user name ${JSON.stringify(user.slice(0, 80))} ${problem}`);
  const base = join(storageDir, '.documents', user);
  return {
    base,
    tree: join(base, 'tree'),
    history: join(base, 'history'),
    blobs: join(base, 'blobs'),
    usage: join(base, 'usage.json'),
    lock: join(base, '.lock'),
    intent: join(base, '.intent'),
  };
}

/** The directory of a folder given by its segments. */
export const folderDirectory = (area: DocumentsArea, segments: readonly string[]) => join(area.tree, ...segments.map(fileNameFor));

export const historyFile = (area: DocumentsArea, path: string) =>
  join(area.history, `${createHash('sha256').update(path, 'utf8').digest('hex')}.json`);

export const blobFile = (area: DocumentsArea, version: string) => join(area.blobs, version);

/**
 * The bytes one user's documents and all their kept versions hold, for the quota. The disk
 * backend adds this to the user's files (STORAGE_DIR/<user>/) when it holds room for an upload.
 */
export async function documentsUsage(storageDir: string, user: string): Promise<number> {
  const usage = await readJson<{ bytes: number }>(documentsArea(storageDir, user).usage);
  return usage?.bytes ?? 0;
}
