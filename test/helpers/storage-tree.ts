import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Every file below `dir`, as paths relative to it. */
export function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...walk(path).map((p) => join(name, p)));
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

