import { createTokenVerifier } from '../auth/tokens.js';
import type { Settings } from '../config/settings.js';
import type { RouteDeps } from '../routes/deps.js';
import { routeTable } from '../routes/table.js';
import { FsStore } from '../storage/fs-store.js';
import type { Store } from '../storage/store.js';
import { unavailableFailure } from '../storage/storage-errors.js';
import { recordRequest } from '../audit/record.js';
import { HttpError } from './http-error.js';
import { errorResponse } from './respond.js';
import { createRouter } from './router.js';
import type { CoreResponse, Handler } from './types.js';

export interface AppOptions {
  store?: Store;
  /** Where unexpected failures are reported; stderr by default (the web server's error log under CGI). */
  log?: (error: unknown) => void;
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
  const app = async (req: Parameters<Handler>[0]): Promise<CoreResponse> => {
    // Requests that match no route are audited (they are all refused) under this name.
    let action = 'request';
    let response: CoreResponse;
    let code: string | undefined;
    try {
      const { route: matched, params } = route(req.method, req.path);
      action = matched.action;
      const handler = await matched.load();
      response = await handler(req, params);
      if (req.method === 'HEAD') response = withoutBody(response);
    } catch (caught) {
      const error = unavailableFailure(caught) ?? caught;
      code = error instanceof HttpError ? error.code : 'internal_error';
      response = errorResponse(error, log);
    }
    await recordRequest(settings.storageDir, req, action, { status: response.status, code }, log);
    return response;
  };
  return Object.assign(app, { ready: deps.verify.ready });
}
