import { documentPathProblem } from '../document-path.js';
import { StorageError } from '../errors.js';

/** 'conflict' unless `path` is a document path (the rules every backend shares, src/storage/document-path.ts). */
export function checkDocumentPath(path: string): void {
  const problem = documentPathProblem(path);
  if (problem) throw new StorageError('conflict', `not a document path: ${JSON.stringify(path.slice(0, 80))} ${problem}`);
}

export const isDocumentPath = (path: string): boolean => documentPathProblem(path) === undefined;
export const isFolderPath = (path: string): boolean => documentPathProblem(path, 'folder') === undefined;

/** The folder holding `path` (`/a/b` and `/a/b/` → `/a/`); '' for the root. */
export function parentOf(path: string): string {
  if (path === '/') return '';
  const trimmed = path.endsWith('/') ? path.slice(0, -1) : path;
  return trimmed.slice(0, trimmed.lastIndexOf('/') + 1);
}

/** Every folder above a document, from the root down: `/a/b/c` → `/`, `/a/`, `/a/b/`. */
export function foldersAbove(path: string): string[] {
  const folders: string[] = [];
  for (let at = path.indexOf('/'); at !== -1; at = path.indexOf('/', at + 1)) folders.push(path.slice(0, at + 1));
  return folders;
}
