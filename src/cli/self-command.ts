import { realpathSync } from 'node:fs';
import { delimiter, join, relative } from 'node:path';

/** A path as a shell would need it typed: relative to here when inside, quoted when needed. */
export function shellPath(path: string): string {
  const rel = relative(process.cwd(), path);
  const shown = rel && !rel.startsWith('..') ? rel : path;
  return /^[\w./-]+$/.test(shown) ? shown : `'${shown.replace(/'/g, `'\\''`)}'`;
}

function realpath(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

/** How the user can run this same program again: `bdfu` when that is on PATH, else its path. */
export function selfCommand(): string {
  const script = process.argv[1];
  const self = script ? realpath(script) : undefined;
  if (self && (process.env.PATH ?? '').split(delimiter).some((dir) => dir && realpath(join(dir, 'bdfu')) === self)) return 'bdfu';
  if (!script) return 'bdfu';
  return script.endsWith('.js') ? `node ${shellPath(script)}` : shellPath(script);
}
