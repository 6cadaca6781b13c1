import { openBackend } from '../assembly/backend.js';
import { ConfigError } from '../config/config-error.js';
import { DEFAULT_STORAGE_DIR } from '../config/embedded-default.js';
import { loadConfig } from '../config/load.js';
import type { Settings } from '../config/settings.js';
import type { StorageBackend } from '../storage/backend.js';
import { StorageError } from '../storage/errors.js';
import { CliError } from './fail.js';

// Commands that work on the storage directly sign no tokens; this only satisfies the loader when no secret is configured.
const SECRET_NOT_NEEDED = 'bdfu-local-commands-sign-no-tokens';

/**
 * Runs `use` on the storage backend the settings name (the same one `bdfu serve` would open),
 * then closes it. Setting and storage errors, and the `expected` ones, become one CLI line.
 */
export async function withBackend<T>(configuration: string | undefined, use: (backend: StorageBackend, settings: Settings) => Promise<T>, expected: (error: unknown) => boolean = () => false): Promise<T> {
  let settings: Settings;
  try {
    settings = loadConfig({ file: configuration, fallbacks: { storageDir: DEFAULT_STORAGE_DIR, jwtSecretKey: SECRET_NOT_NEEDED } }).settings;
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message);
    throw error;
  }
  const backend = await openBackend(settings);
  try {
    return await use(backend, settings);
  } catch (error) {
    if (error instanceof StorageError || expected(error)) throw new CliError((error as Error).message);
    throw error;
  } finally {
    await backend.close();
  }
}
