import { randomBytes } from 'node:crypto';
import { lstat, open, unlink } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Whether `dir` is on a case-insensitive file system (macOS, a casefold ext4 directory): a
 * probe file made in lower case is looked up in upper case.
 */
export async function isCaseInsensitive(dir: string): Promise<boolean> {
  const name = `.case-probe-${randomBytes(6).toString('hex')}`;
  const probe = join(dir, name);
  await (await open(probe, 'wx', 0o600)).close();
  try {
    await lstat(join(dir, name.toUpperCase()));
    return true;
  } catch {
    return false;
  } finally {
    await unlink(probe).catch(() => undefined);
  }
}

/**
 * On a case-insensitive file system `ALICE` and `alice` would share one directory. There, a user
 * name must be in one case, its lower case (folded so that no two accepted names differ only
 * in case, Unicode special cases such as ß, ſ or the Kelvin sign included).
 */
export function caseProblem(name: string): string | undefined {
  const folded = name.toUpperCase().toLowerCase();
  if (folded !== name || name.toLowerCase() !== name) {
    return 'is not all in lower case: this server’s storage is case-insensitive, where names differing only in case would share one directory';
  }
  return undefined;
}
