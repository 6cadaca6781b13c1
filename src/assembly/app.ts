import { recordRequest } from '../audit/record.js';
import { createTokenVerifier } from '../auth/tokens.js';
import type { Settings } from '../config/settings.js';
import { createCore, type App } from '../core/app.js';
import type { RouteDeps } from '../routes/deps.js';
import { routeTable } from '../routes/table.js';
import { expiringStore } from '../sharing/expiring-store.js';
import type { StorageBackend } from '../storage/backend.js';
import type { Store } from '../storage/store.js';
import { diskBackend } from './backend.js';
import { assertCapabilities } from './capabilities.js';

export type { App };

export interface AppOptions {
  /** Everything bdfu keeps; the disk backend on STORAGE_DIR by default. */
  backend?: StorageBackend;
  /** Whole uploads only, on the disk backend otherwise (kept for library users of the earlier face). */
  store?: Store;
  /** Where unexpected failures are reported; stderr by default (the web server's error log under CGI). */
  log?: (error: unknown) => void;
  /** The clock (milliseconds) links and retention compare with; Date.now by default. */
  now?: () => number;
}

export const logToStderr = (error: unknown) => {
  process.stderr.write(`bdfu: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
};

/**
 * The composition root's last step: settings + backend → the routes → the core. Throws a
 * ConfigError when a setting needs a capability the backend lacks.
 */
export function createApp(settings: Settings, options: AppOptions = {}): App {
  const log = options.log ?? logToStderr;
  const backend = options.backend ?? diskBackend(settings, options.store ? { files: options.store } : {});
  assertCapabilities(settings, backend);
  const now = options.now ?? Date.now;
  const deps: RouteDeps = {
    settings,
    backend,
    store: expiringStore(backend.files, backend.records, now),
    now,
    verify: createTokenVerifier({ keys: settings, clockSkewSeconds: settings.clockSkewSeconds }),
    log,
  };
  const app = createCore({
    routes: routeTable(deps),
    log,
    answered: (req, action, outcome) => recordRequest(backend.audit, req, action, outcome, log),
  });
  return Object.assign(app, { ready: deps.verify.ready });
}
