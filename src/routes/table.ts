import type { Route, RouteHandler } from '../core/router.js';
import type { RouteDeps } from './deps.js';
import { sharingRoutes } from './share-links/routes.js';
import { mapStorageErrors } from './storage-failure.js';

/** Loads the handler on first use; what storage throws becomes its HTTP answer (storage-failure.ts). */
function lazy(load: () => Promise<RouteHandler>): () => Promise<RouteHandler> {
  let loaded: Promise<RouteHandler> | undefined;
  const guarded = async (): Promise<RouteHandler> => {
    const handler = await load();
    return async (req, params) => {
      try {
        return await handler(req, params);
      } catch (error) {
        throw mapStorageErrors(error);
      }
    };
  };
  return () => (loaded ??= guarded());
}

/** Every endpoint, relative to the mount point. Handlers load on first use. */
export function routeTable(deps: RouteDeps): Route[] {
  const list = lazy(async () => (await import('./files-list.js')).createFilesListHandler(deps));
  const users = lazy(async () => (await import('./files-list.js')).createUsersListHandler(deps));
  return [
    { method: 'POST', pattern: '/upload', action: 'upload', load: lazy(async () => (await import('./upload.js')).createUploadHandler(deps)) },
    { method: 'GET', pattern: '/files/', action: 'users', load: users },
    { method: 'GET', pattern: '/files', action: 'users', load: users },
    { method: 'GET', pattern: '/files/:user/', action: 'list', load: list },
    { method: 'GET', pattern: '/files/:user', action: 'list', load: list },
    { method: 'GET', pattern: '/files/:user/by-name/:name', action: 'download', load: lazy(async () => (await import('./files-get.js')).createFilesGetHandler(deps, { byName: true })) },
    { method: 'GET', pattern: '/files/:user/:id', action: 'download', load: lazy(async () => (await import('./files-get.js')).createFilesGetHandler(deps, { byName: false })) },
    { method: 'DELETE', pattern: '/files/:user/:id', action: 'delete', load: lazy(async () => (await import('./files-delete.js')).createFilesDeleteHandler(deps)) },
    { method: 'POST', pattern: '/files/:user/:id/share', action: 'share', load: lazy(async () => (await import('./share.js')).createShareHandler(deps)) },
    { method: 'GET', pattern: '/', action: 'page', load: lazy(async () => (await import('./ui.js')).createPageHandler({ atUi: false })) },
    { method: 'GET', pattern: '/ui/', action: 'page', load: lazy(async () => (await import('./ui.js')).createPageHandler({ atUi: true })) },
    { method: 'GET', pattern: '/ui/:asset', action: 'page', load: lazy(async () => (await import('./ui.js')).createAssetHandler()) },
    ...tusRoutes(deps),
    ...storageRoutes(deps),
    ...sharingRoutes(deps, lazy),
    ...oauthRoutes(deps),
    { method: 'POST', pattern: '/sign-in', action: 'sign-in', load: lazy(async () => (await import('./sign-in.js')).createSignInHandler(deps)) },
    { method: 'GET', pattern: '/audit', action: 'audit', load: lazy(async () => (await import('./audit.js')).createAuditHandler(deps)) },
  ];
}

/** tus 1.0 (resumable uploads): {endpoint}tus/ creates, {endpoint}tus/<id> is one upload. */
function tusRoutes(deps: RouteDeps): Route[] {
  const options = lazy(async () => (await import('./tus/options.js')).createTusOptionsHandler(deps));
  const post = lazy(async () => (await import('./tus/post.js')).createTusPostHandler(deps));
  const routes: Route[] = [];
  for (const pattern of ['/tus/', '/tus']) {
    routes.push({ method: 'POST', pattern, action: 'tus', load: post }, { method: 'OPTIONS', pattern, action: 'tus', load: options });
  }
  routes.push(
    { method: 'HEAD', pattern: '/tus/:id', action: 'tus', load: lazy(async () => (await import('./tus/head.js')).createTusHeadHandler(deps)) },
    { method: 'PATCH', pattern: '/tus/:id', action: 'tus', load: lazy(async () => (await import('./tus/patch.js')).createTusPatchHandler(deps)) },
    { method: 'DELETE', pattern: '/tus/:id', action: 'tus', load: lazy(async () => (await import('./tus/delete.js')).createTusDeleteHandler(deps)) },
    { method: 'POST', pattern: '/tus/:id', action: 'tus', load: lazy(async () => (await import('./tus/method-override.js')).createTusOverrideHandler(deps)) },
    { method: 'OPTIONS', pattern: '/tus/:id', action: 'tus', load: options },
  );
  return routes;
}

/** remoteStorage discovery and tokens: WebFinger, the OAuth dialog, its token endpoint, the apps a user allowed. */
function oauthRoutes(deps: RouteDeps): Route[] {
  const dialog = async () => import('./oauth/dialog.js');
  const approvals = async () => import('./oauth/approvals.js');
  return [
    { method: 'GET', pattern: '/.well-known/webfinger', action: 'webfinger', load: lazy(async () => (await import('./webfinger.js')).createWebFingerHandler()) },
    { method: 'GET', pattern: '/oauth/:user', action: 'oauth-dialog', load: lazy(async () => (await dialog()).createDialogHandler(deps)) },
    { method: 'POST', pattern: '/oauth/:user', action: 'oauth-dialog', load: lazy(async () => (await dialog()).createDialogAnswerHandler(deps)) },
    { method: 'POST', pattern: '/token', action: 'oauth-token', load: lazy(async () => (await import('./oauth/token.js')).createTokenHandler(deps)) },
    { method: 'GET', pattern: '/apps/:user', action: 'apps', load: lazy(async () => (await approvals()).createApprovalsListHandler(deps)) },
    { method: 'DELETE', pattern: '/apps/:user/:id', action: 'app-revoke', load: lazy(async () => (await approvals()).createApprovalRevokeHandler(deps)) },
  ];
}

/** remoteStorage (draft-dejong-remotestorage): {endpoint}storage/<user>/<path>, documents and folders. */
function storageRoutes(deps: RouteDeps): Route[] {
  const pick = (name: 'createStorageGetHandler' | 'createStoragePutHandler' | 'createStorageDeleteHandler') =>
    lazy(async () => (await import('./remote-storage/handlers.js'))[name](deps));
  const pattern = '/storage/:user/*path';
  return [
    { method: 'GET', pattern, action: 'storage-read', load: pick('createStorageGetHandler') },
    { method: 'PUT', pattern, action: 'storage-write', load: pick('createStoragePutHandler') },
    { method: 'DELETE', pattern, action: 'storage-delete', load: pick('createStorageDeleteHandler') },
    { method: 'OPTIONS', pattern, action: 'storage-options', load: lazy(async () => (await import('./remote-storage/handlers.js')).createStorageOptionsHandler()) },
    { method: 'GET', pattern: '/versions/:user/*path', action: 'storage-history', load: lazy(async () => (await import('./remote-storage/history.js')).createVersionsGetHandler(deps)) },
    { method: 'POST', pattern: '/versions/:user/*path', action: 'storage-restore', load: lazy(async () => (await import('./remote-storage/history.js')).createVersionsRestoreHandler(deps)) },
  ];
}
