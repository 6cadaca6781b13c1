import { createTokenVerifier } from '../auth/tokens.js';
import type { Settings } from '../config/settings.js';
import type { RouteDeps } from '../routes/deps.js';
import { routeTable } from '../routes/table.js';
import { FsStore } from '../storage/fs-store.js';
import type { Store } from '../storage/store.js';
import { recordEntry, recordRequest } from '../audit/record.js';
import type { HookRunner, Hooks } from '../hooks/types.js';
import { HttpError } from './http-error.js';
import { errorResponse } from './respond.js';
import { createRouter } from './router.js';
import type { CoreResponse, Handler } from './types.js';

export interface AppOptions {
  store?: Store;
  /** Where unexpected failures are reported; stderr by default (the web server's error log under CGI). */
  log?: (error: unknown) => void;
  /** In-process hooks (see Hooks in the README); HOOK_COMMAND and HOOK_URL come from the settings. */
  hooks?: Hooks;
  /** The process ends after one request (CGI): after-hooks get HOOK_TIMEOUT_SECONDS in all. */
  oneShot?: boolean;
}

const logToStderr = (error: unknown) => {
  process.stderr.write(`bdfu: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
};

function withoutBody(response: CoreResponse): CoreResponse {
  const { body, ...rest } = response;
  if (body && typeof body === 'object' && 'destroy' in body) body.destroy();
  return rest;
}

/** The core: one function from request to response, whatever carries them. */
export type App = Handler & {
  /** Resolves once the token keys were read; rejects with a ConfigError naming a bad one. */
  ready: Promise<unknown>;
  /** Resolves once after-hook deliveries started so far are done or given up (CGI waits for it before exiting). */
  settled(): Promise<void>;
};

export function createApp(settings: Settings, options: AppOptions = {}): App {
  const log = options.log ?? logToStderr;
  const deps: RouteDeps = {
    settings,
    store: options.store ?? new FsStore(settings.storageDir),
    verify: createTokenVerifier({ keys: settings, clockSkewSeconds: settings.clockSkewSeconds }),
    log,
  };
  const route = createRouter(routeTable(deps));
  // Hook code is loaded on the first request, and only when a hook is configured.
  const hooksWanted = options.hooks !== undefined || settings.hookCommand !== '' || settings.hookUrl !== '';
  let hooks: Promise<HookRunner> | undefined;
  const loadHooks = () =>
    (hooks ??= import('../hooks/build.js').then(({ buildHookRunner }) =>
      buildHookRunner(settings, options.hooks, { audit: (entry) => recordEntry(settings.storageDir, entry, log), log, oneShot: options.oneShot ?? false })));
  const app = async (req: Parameters<Handler>[0]): Promise<CoreResponse> => {
    // Requests that match no route are audited (they are all refused) under this name.
    let action = 'request';
    let response: CoreResponse;
    let code: string | undefined;
    try {
      if (hooksWanted) deps.hooks ??= await loadHooks();
      const { route: matched, params } = route(req.method, req.path);
      action = matched.action;
      const handler = await matched.load();
      response = await handler(req, params);
      if (req.method === 'HEAD') response = withoutBody(response);
    } catch (error) {
      code = error instanceof HttpError ? error.code : 'internal_error';
      response = errorResponse(error, log);
    }
    await recordRequest(settings.storageDir, req, action, { status: response.status, code }, log);
    return response;
  };
  const settled = async () => {
    if (hooks) await (await hooks).settled();
  };
  return Object.assign(app, { ready: deps.verify.ready, settled });
}
