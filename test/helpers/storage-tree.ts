import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Every file below `dir`, as paths relative to it. A server may be at work in it: a file or
 * directory removed between the listing and its stat (a quota lock released) is left out.
 */
export function walk(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const out: string[] = [];
  for (const name of names) {
    const path = join(dir, name);
    const info = statSync(path, { throwIfNoEntry: false });
    if (!info) continue;
    if (info.isDirectory()) out.push(...walk(path).map((p) => join(name, p)));
    else out.push(name);
  }
  return out.sort();
}

/** Files of uploads in flight (temporaries, leases) and quota locks: none may outlive a request. */
export function leftovers(storageDir: string): string[] {
  return walk(storageDir).filter((path) => /(^|\/)\.upload-|\.quota\.lock$/.test(path));
}

/** Stored files (ids) below a storage directory. */
export function storedFiles(storageDir: string): string[] {
  return walk(storageDir).filter((path) => /(^|\/)[0-9a-f]{32}$/.test(path));
}

/** Waits until `check` holds (for cleanup the server does after answering), or gives up. */
export async function eventually(check: () => boolean, ms = 10_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}

