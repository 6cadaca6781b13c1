import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const DEFAULT_STORAGE_DIR = 'bdfu-data';
export const SECRET_FILE = '.jwt-secret';

/**
 * The secret of a server started with no configuration: made at random on first start and
 * kept (mode 0600) in the storage directory, so tokens survive restarts.
 */
export function embeddedSecret(storageDir: string): { secret: string; file: string; created: boolean } {
  const dir = resolve(storageDir);
  const file = join(dir, SECRET_FILE);
  mkdirSync(dir, { recursive: true });
  try {
    const secret = readFileSync(file, 'utf8').trim();
    if (secret) return { secret, file, created: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, secret + '\n', { mode: 0o600, flag: 'wx' });
  return { secret, file, created: true };
}
