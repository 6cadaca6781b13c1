import { join, resolve } from 'node:path';
import { keptSecret } from './kept-secret.js';

export const DEFAULT_STORAGE_DIR = 'bdfu-data';
export const SECRET_FILE = '.jwt-secret';

/**
 * The secret of a server started with no configuration: made at random on first start and
 * kept (mode 0600) in the storage directory, so tokens survive restarts. One found there is
 * used only when it belongs to the running user and nobody else can read it.
 */
export function embeddedSecret(storageDir: string): { secret: string; file: string; created: boolean } {
  const file = join(resolve(storageDir), SECRET_FILE);
  return { ...keptSecret(file), file };
}
