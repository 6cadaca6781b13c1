import { randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, linkSync, mkdirSync, openSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError } from './config-error.js';

/** Why a kept secret file must not be used, with the one-line fix; undefined when it is fine. */
export function secretFileProblem(file: string, info: { uid: number; mode: number }, uid: number | undefined): string | undefined {
  if (uid !== undefined && info.uid !== uid) {
    return `${file} belongs to uid ${info.uid}, not to the user bdfu runs as (uid ${uid}): fix with chown ${uid} ${file} (or remove it to make a new secret)`;
  }
  if ((info.mode & 0o077) !== 0) {
    return `${file} can be read by others (mode 0${(info.mode & 0o777).toString(8)}): fix with chmod 600 ${file}, and make a new secret if others may have read it`;
  }
  return undefined;
}

/** The secret in `file`, checked (owner, mode, not a link); undefined when there is none. */
export function readKeptSecret(file: string, uid = process.getuid?.()): string | undefined {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') throw new ConfigError(`${file} is a symbolic link: bdfu keeps its secrets in plain files; remove it`);
    throw new ConfigError(`cannot read ${file}: ${code ?? String(error)}`);
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) throw new ConfigError(`${file} is not a plain file: remove it`);
    const problem = secretFileProblem(file, info, uid);
    if (problem) throw new ConfigError(problem);
    return readFileSync(fd, 'utf8').trim() || undefined;
  } finally {
    closeSync(fd);
  }
}

/**
 * A random secret kept (mode 0600) in `file`: read when it is there, else made. It appears
 * whole or not at all (written aside, then linked into place), so concurrent CGI processes
 * agree on one secret.
 */
export function keptSecret(file: string): { secret: string; created: boolean } {
  const existing = readKeptSecret(file);
  if (existing) return { secret: existing, created: false };
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  // Hex, not base64url: a secret starting with '-' would read as an option on a command line.
  const secret = randomBytes(32).toString('hex');
  const aside = `${file}.${randomBytes(8).toString('hex')}.new`;
  writeFileSync(aside, secret + '\n', { mode: 0o600, flag: 'wx' });
  try {
    linkSync(aside, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const winner = readKeptSecret(file);
    if (!winner) throw new ConfigError(`${file} is empty: remove it so bdfu can make a new secret`);
    return { secret: winner, created: false };
  } finally {
    unlinkSync(aside);
  }
  return { secret, created: true };
}
