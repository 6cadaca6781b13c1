import { decodeJwt } from 'jose/jwt/decode';
import { CliError } from './fail.js';

export interface FileTarget {
  user: string;
  id: string;
}

/** `<user>/<id>` as the files API names a file. */
export function parseTarget(target: string): FileTarget {
  const slash = target.lastIndexOf('/');
  const user = target.slice(0, slash);
  const id = target.slice(slash + 1);
  if (slash <= 0 || !/^[0-9a-f]{32}$/.test(id)) throw new CliError(`name the file as <user>/<id>, e.g. alice/ecbfb21578ad49548472d955b38ac65b (got ${JSON.stringify(target)})`);
  return { user, id };
}

export function filesPath(user: string, id?: string): string {
  return `files/${encodeURIComponent(user)}/${id ?? ''}`;
}

/** The user a token speaks for, read (not verified) from its claims: the server verifies. */
export function tokenUser(token: string): string {
  let claims;
  try {
    claims = decodeJwt(token);
  } catch {
    throw new CliError('the token is not a JWT (make one with bdfu gen-token)');
  }
  const user = claims.user ?? claims.sub;
  if (typeof user !== 'string') throw new CliError('the token names no user; say which user to list');
  return user;
}

/** Names and other server-given text made safe to print on a terminal: no C0/C1 controls (escapes), no bidi overrides. */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '?');
}

/** JSON for a terminal: what JSON.stringify leaves raw (C1 controls, bidi overrides, DEL) written as \u escapes. */
export function printableJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
