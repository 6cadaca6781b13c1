import { StorageError } from '../errors.js';

/** A document's path: `/` then non-empty segments, not ending with `/`. */
export function checkDocumentPath(path: string): void {
  if (!path.startsWith('/') || path.endsWith('/') || path.slice(1).split('/').some((segment) => segment === '')) {
    throw new StorageError('not_found', `not a document path: ${JSON.stringify(path)}`);
  }
}

/** A folder's path: `/`, or `/` then non-empty segments and a final `/`. */
export function isFolderPath(path: string): boolean {
  return path === '/' || (path.startsWith('/') && path.endsWith('/') && path.slice(1, -1).split('/').every((segment) => segment !== ''));
}

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
