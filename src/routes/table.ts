import type { Route, RouteHandler } from '../core/router.js';
import type { RouteDeps } from './deps.js';

function lazy(load: () => Promise<RouteHandler>): () => Promise<RouteHandler> {
  let loaded: Promise<RouteHandler> | undefined;
  return () => (loaded ??= load());
}

/** Every endpoint, relative to the mount point. Handlers load on first use. */
export function routeTable(deps: RouteDeps): Route[] {
  const list = lazy(async () => (await import('./files-list.js')).createFilesListHandler(deps));
  const users = lazy(async () => (await import('./files-list.js')).createUsersListHandler(deps));
  return [
    { method: 'POST', pattern: '/upload', load: lazy(async () => (await import('./upload.js')).createUploadHandler(deps)) },
    { method: 'GET', pattern: '/files/', load: users },
    { method: 'GET', pattern: '/files', load: users },
    { method: 'GET', pattern: '/files/:user/', load: list },
    { method: 'GET', pattern: '/files/:user', load: list },
    { method: 'GET', pattern: '/files/:user/by-name/:name', load: lazy(async () => (await import('./files-get.js')).createFilesGetHandler(deps, { byName: true })) },
    { method: 'GET', pattern: '/files/:user/:id', load: lazy(async () => (await import('./files-get.js')).createFilesGetHandler(deps, { byName: false })) },
    { method: 'DELETE', pattern: '/files/:user/:id', load: lazy(async () => (await import('./files-delete.js')).createFilesDeleteHandler(deps)) },
    { method: 'POST', pattern: '/files/:user/:id/share', load: lazy(async () => (await import('./share.js')).createShareHandler(deps)) },
  ];
}
