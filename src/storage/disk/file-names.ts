import { createHash } from 'node:crypto';

/**
 * Turns a name that comes from outside (a record key, a document path segment) into one safe
 * file name, the same way every time: names made only of `[A-Za-z0-9_-]` stay as they are;
 * anything else becomes `=` + base64url of its UTF-8; a name whose encoding would be too long
 * becomes `+` + its SHA-256 (the file then stores the name, so it can be read back).
 * No result starts with a dot, contains a separator or is `.`/`..`, so bdfu's own files
 * (`.lock`, `.etag`, `.tmp-*`) never collide with a name and no name leaves its directory.
 */
const PLAIN = /^[A-Za-z0-9_-]+$/;
const MAX_ENCODED = 200;

export function fileNameFor(name: string): string {
  if (name.length <= MAX_ENCODED && PLAIN.test(name)) return name;
  const encoded = `=${Buffer.from(name, 'utf8').toString('base64url')}`;
  if (encoded.length <= MAX_ENCODED) return encoded;
  return `+${createHash('sha256').update(name, 'utf8').digest('hex')}`;
}

/** The name a file name stands for; undefined for a hashed name (read it from the file) or a file that is not one of ours. */
export function nameOfFile(fileName: string): string | undefined {
  if (PLAIN.test(fileName)) return fileName;
  if (fileName.startsWith('=') && /^=[A-Za-z0-9_-]+$/.test(fileName)) {
    const name = Buffer.from(fileName.slice(1), 'base64url').toString('utf8');
    return fileNameFor(name) === fileName ? name : undefined;
  }
  return undefined;
}

export const isHashedFileName = (fileName: string) => /^\+[0-9a-f]{64}$/.test(fileName);
