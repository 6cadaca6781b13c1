import type { Settings } from '../config/settings.js';
import type { StorageBackend } from '../storage/backend.js';
import { createApp, type App, type AppOptions } from './app.js';
import { openBackend } from './backend.js';
import { assertCapabilities } from './capabilities.js';

export interface Assembled {
  backend: StorageBackend;
  app: App;
}

/**
 * settings → backend → app, for a process that serves (`bdfu serve`, one CGI request): the
 * backend is built once, its capabilities match the settings, and it is reachable and writable.
 * Throws a ConfigError or a StorageError naming what and where.
 */
export async function assemble(settings: Settings, options: AppOptions = {}): Promise<Assembled> {
  const backend = options.backend ?? (await openBackend(settings, options.store ? { files: options.store } : {}));
  try {
    assertCapabilities(settings, backend);
    await backend.check();
  } catch (error) {
    // A backend built here and refused is closed here: its connections would keep the process alive.
    if (!options.backend) await backend.close().catch(() => undefined);
    throw error;
  }
  return { backend, app: createApp(settings, { ...options, backend }) };
}
