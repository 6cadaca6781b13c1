import { recordEntry, recordRequest } from '../audit/record.js';
import { createTokenVerifier } from '../auth/tokens.js';
import { stillApproved } from '../oauth/approvals.js';
import { parseCorsOrigins } from '../config/cors-origins.js';
import type { Settings } from '../config/settings.js';
import { createCore, type App } from '../core/app.js';
import type { HookRunner, Hooks } from '../hooks/types.js';
import type { CoreRequest, Handler } from '../core/types.js';
import { CorsPolicy } from '../http/cors.js';
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
  /** In-process hooks (see Hooks in the README); HOOK_COMMAND and HOOK_URL come from the settings. */
  hooks?: Hooks;
  /** The process ends after one request (CGI): after-hooks get HOOK_TIMEOUT_SECONDS in all. */
  oneShot?: boolean;
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
    verify: createTokenVerifier({
      keys: settings,
      clockSkewSeconds: settings.clockSkewSeconds,
      maxLifetimeSeconds: settings.tokenMaxLifetimeSeconds,
      appApproved: (user, app) => stillApproved(backend.records, user, app),
    }),
    log,
  };
  // Hook code is loaded on the first request, and only when a hook is configured.
  const hooksWanted = options.hooks !== undefined || settings.hookCommand !== '' || settings.hookUrl !== '';
  let hooks: Promise<HookRunner> | undefined;
  const loadHooks = () =>
    (hooks ??= import('../hooks/build.js').then(({ buildHookRunner }) =>
      buildHookRunner(settings, options.hooks, { audit: (entry) => recordEntry(backend.audit, entry, log), log, oneShot: options.oneShot ?? false })));
  const core = createCore({
    routes: routeTable(deps),
    log,
    // A route may say what the request turned out to be (a tus PATCH that finished an upload is an upload).
    answered: (req, action, outcome) => recordRequest(backend.audit, req, req.audit?.action ?? action, outcome, log),
    publicUrl: settings.publicUrl,
    ...(hooksWanted ? { prepare: async () => void (deps.hooks ??= await loadHooks()) } : {}),
  });
  // CORS_ORIGINS: one policy for every endpoint; preflights are answered before routing, without a token.
  const cors = new CorsPolicy(parseCorsOrigins(settings.corsOrigins));
  // remoteStorage apps run on any origin and carry their token themselves (draft §8): the storage
  // API, WebFinger and the token endpoint are open to all.
  const openCors = new CorsPolicy({ any: true });
  const corsFor = (req: CoreRequest) => (req.path.startsWith('/storage/') || req.path === '/.well-known/webfinger' || req.path === '/token' ? openCors : cors);
  const app: Handler = async (req) => corsFor(req).preflight(req) ?? corsFor(req).decorate(req, await core(req));
  const settled = async () => {
    if (hooks) await (await hooks).settled();
  };
  return Object.assign(app, { ready: deps.verify.ready, settled });
}
