import type { RouteHandler } from '../../core/router.js';
import type { CoreResponse } from '../../core/types.js';
import type { RouteDeps } from '../deps.js';
import { extensions, maxBytes, tusContext, type TusContext } from './context.js';
import { CHECKSUM_ALGORITHMS, TUS_VERSION, tusResumable } from './protocol.js';

/** What the server supports, as OPTIONS tells it (no token needed; Tus-Resumable is ignored). */
export function discovery(context: TusContext): Record<string, string> {
  const list = extensions(context);
  return {
    ...tusResumable,
    'tus-version': TUS_VERSION,
    ...(list.length > 0 ? { 'tus-extension': list.join(',') } : {}),
    'tus-max-size': String(maxBytes(context)),
    ...(list.includes('checksum') ? { 'tus-checksum-algorithm': CHECKSUM_ALGORITHMS.join(',') } : {}),
  };
}

/** OPTIONS {endpoint}tus/ and {endpoint}tus/<id>. */
export function createTusOptionsHandler(deps: RouteDeps): RouteHandler {
  const context = tusContext(deps);
  return async (): Promise<CoreResponse> => ({
    status: 204,
    headers: { ...discovery(context), 'cache-control': 'no-store' },
  });
}
