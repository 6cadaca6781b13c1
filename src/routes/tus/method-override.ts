import { HttpError } from '../../core/http-error.js';
import type { RouteHandler } from '../../core/router.js';
import type { RouteDeps } from '../deps.js';
import { tusAnswer, tusContext } from './context.js';
import { terminate } from './delete.js';
import { head } from './head.js';
import { patch } from './patch.js';

/**
 * POST {endpoint}tus/<id> with `X-HTTP-Method-Override: PATCH|DELETE|HEAD`, for clients behind
 * proxies that pass only GET and POST. The header names the method; the real one is ignored.
 */
export function createTusOverrideHandler(deps: RouteDeps): RouteHandler {
  const context = tusContext(deps);
  return (req, params) =>
    tusAnswer(async () => {
      const method = (req.headers['x-http-method-override'] ?? '').trim().toUpperCase();
      const id = params.id!;
      if (method === 'PATCH') return patch(context, req, id);
      if (method === 'DELETE') return terminate(context, req, id);
      if (method === 'HEAD') {
        const { body: _none, ...answer } = await head(context, req, id);
        return answer;
      }
      throw new HttpError(405, 'method_not_allowed', 'POST to an upload URL needs X-HTTP-Method-Override: PATCH, DELETE or HEAD', {
        headers: { allow: 'HEAD, PATCH, DELETE, OPTIONS' },
      });
    });
}
