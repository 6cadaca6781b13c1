import { HttpError } from './http-error.js';
import { errorResponse } from './respond.js';
import { createRouter, type Route } from './router.js';
import type { CoreRequest, CoreResponse, Handler } from './types.js';

/** How a request was answered, as the audit trail records it. */
export interface Outcome {
  status: number;
  /** The error code, for 4xx and 5xx answers. */
  code?: string;
}

export interface CoreOptions {
  routes: readonly Route[];
  /** Where unexpected failures are reported. */
  log: (error: unknown) => void;
  /** Told of every answered request (the audit trail); its failures are its own to report. */
  answered?: (req: CoreRequest, action: string, outcome: Outcome) => Promise<void>;
}

/** The core: one function from request to response, whatever carries them. */
export type App = Handler & {
  /** Resolves once the token keys were read; rejects with a ConfigError naming a bad one. */
  ready: Promise<unknown>;
};

function withoutBody(response: CoreResponse): CoreResponse {
  const { body, ...rest } = response;
  if (body && typeof body === 'object' && 'destroy' in body) body.destroy();
  return rest;
}

/**
 * Routes a request, turns any failure into its answer (the one place: respond.ts) and reports
 * the outcome. What the routes are and where the trail goes is handed in by the composition
 * root (src/assembly/); the core imports nothing above it.
 */
export function createCore(options: CoreOptions): Handler {
  const { log, answered } = options;
  const route = createRouter(options.routes);
  return async (req) => {
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
    } catch (error) {
      code = error instanceof HttpError ? error.code : 'internal_error';
      response = errorResponse(error, log);
    }
    await answered?.(req, action, { status: response.status, code });
    return response;
  };
}
