import type { Route, RouteHandler } from '../../core/router.js';
import type { RouteDeps } from '../deps.js';

type Lazy = (load: () => Promise<RouteHandler>) => () => Promise<RouteHandler>;

/** Sharing's endpoints: share links (s/), public files (d/), file requests (r/) and their management. */
export function sharingRoutes(deps: RouteDeps, lazy: Lazy): Route[] {
  const linkGet = lazy(async () => (await import('./link-get.js')).createLinkGetHandler(deps));
  const linkPost = lazy(async () => (await import('./link-get.js')).createLinkPostHandler(deps));
  const links = lazy(async () => (await import('./links-list.js')).createLinksListHandler(deps));
  const requests = lazy(async () => (await import('./requests-manage.js')).createRequestsListHandler(deps));
  const createRequest = lazy(async () => (await import('./requests-manage.js')).createRequestsCreateHandler(deps));
  return [
    { method: 'POST', pattern: '/files/:user/:id/links', action: 'share', load: lazy(async () => (await import('./links-create.js')).createLinksCreateHandler(deps)) },
    { method: 'PUT', pattern: '/files/:user/:id/public', action: 'publish', load: lazy(async () => (await import('./public-mark.js')).createPublishHandler(deps)) },
    { method: 'DELETE', pattern: '/files/:user/:id/public', action: 'unpublish', load: lazy(async () => (await import('./public-mark.js')).createUnpublishHandler(deps)) },
    { method: 'GET', pattern: '/links/:user', action: 'list', load: links },
    { method: 'GET', pattern: '/links/:user/', action: 'list', load: links },
    { method: 'DELETE', pattern: '/links/:user/:link', action: 'unshare', load: lazy(async () => (await import('./links-revoke.js')).createLinksRevokeHandler(deps)) },
    { method: 'GET', pattern: '/s/:link', action: 'download', load: linkGet },
    { method: 'POST', pattern: '/s/:link', action: 'download', load: linkPost },
    { method: 'GET', pattern: '/d/:short', action: 'download', load: lazy(async () => (await import('./public-get.js')).createPublicShortHandler(deps)) },
    { method: 'GET', pattern: '/d/:user/by-name/:name', action: 'download', load: lazy(async () => (await import('./public-get.js')).createPublicByNameHandler(deps)) },
    { method: 'GET', pattern: '/requests/:user', action: 'list', load: requests },
    { method: 'GET', pattern: '/requests/:user/', action: 'list', load: requests },
    { method: 'POST', pattern: '/requests/:user', action: 'request-files', load: createRequest },
    { method: 'DELETE', pattern: '/requests/:user/:request', action: 'unshare', load: lazy(async () => (await import('./requests-manage.js')).createRequestsRevokeHandler(deps)) },
    { method: 'GET', pattern: '/r/:request', action: 'page', load: lazy(async () => (await import('./request-page.js')).createRequestPageHandler(deps)) },
    { method: 'GET', pattern: '/qr', action: 'page', load: lazy(async () => (await import('./qr-image.js')).createQrImageHandler()) },
    { method: 'POST', pattern: '/r/:request', action: 'upload', load: lazy(async () => (await import('./request-upload.js')).createRequestUploadHandler(deps)) },
  ];
}
