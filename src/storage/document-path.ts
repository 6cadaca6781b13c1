/**
 * The contract for keyed document paths, the same for every backend. A path is what the client
 * asked for AFTER percent-decoding (the caller decodes; `%2F` inside a segment must be refused
 * by the caller, since once decoded it cannot be told from a separator): it starts with `/`; a
 * folder path ends with `/`, a document path does not; segments are non-empty, not `.` or `..`,
 * well-formed Unicode without control characters (U+0000–U+001F, U+007F–U+009F), at most
 * MAX_SEGMENT_BYTES bytes of UTF-8 each, and the whole path at most MAX_PATH_BYTES.
 * Callers answer 400 when documentPathProblem() names a problem; the backends check again and
 * find nothing there (reads) or refuse with 'conflict' (writes).
 */
export const MAX_SEGMENT_BYTES = 120;
export const MAX_PATH_BYTES = 2048;

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Why `path` is not a document path (or, with `folder`, a folder path), or undefined when it is. */
export function documentPathProblem(path: string, kind: 'document' | 'folder' = 'document'): string | undefined {
  if (!path.startsWith('/')) return 'does not start with /';
  if (!path.isWellFormed()) return 'is not well-formed Unicode';
  if (CONTROL.test(path)) return 'contains a control character';
  if (Buffer.byteLength(path, 'utf8') > MAX_PATH_BYTES) return `is longer than ${MAX_PATH_BYTES} bytes`;
  if (kind === 'document' && path.endsWith('/')) return 'ends with / (a folder, not a document)';
  if (kind === 'folder' && !path.endsWith('/')) return 'does not end with / (a document, not a folder)';
  const segments = path === '/' ? [] : path.slice(1, kind === 'folder' ? -1 : undefined).split('/');
  for (const segment of segments) {
    if (segment === '') return 'has an empty segment (//)';
    if (segment === '.' || segment === '..') return 'has a . or .. segment';
    if (Buffer.byteLength(segment, 'utf8') > MAX_SEGMENT_BYTES) return `has a segment longer than ${MAX_SEGMENT_BYTES} bytes`;
  }
  return undefined;
}

/** The segments of a valid path: `/a/b/c` → ['a', 'b', 'c'], `/a/b/` → ['a', 'b'], `/` → []. */
export function pathSegments(path: string): string[] {
  const inner = path.slice(1, path.endsWith('/') ? -1 : undefined);
  return inner === '' ? [] : inner.split('/');
}
