import type { Route, RouteHandler } from '../core/router.js';
import type { RouteDeps } from './deps.js';

function lazy(load: () => Promise<RouteHandler>): () => Promise<RouteHandler> {
  let loaded: Promise<RouteHandler> | undefined;
  return () => (loaded ??= load());
}

/** Every endpoint, relative to the mount point. Handlers load on first use. */
export function routeTable(deps: RouteDeps): Route[] {
  return [
    { method: 'POST', pattern: '/upload', action: 'upload', load: lazy(async () => (await import('./upload.js')).createUploadHandler(deps)) },
    { method: 'GET', pattern: '/audit', action: 'audit', load: lazy(async () => (await import('./audit.js')).createAuditHandler(deps)) },
  ];
}
