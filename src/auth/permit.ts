import type { CoreRequest } from '../core/types.js';
import type { HookAction, HookRequest, HookRunner } from '../hooks/types.js';
import { authorize, authorizeAdmin, type Resource } from './policy.js';
import type { Principal } from './principal.js';

/** What a hook sees of the request: never the credentials. */
function hookRequest(req: CoreRequest): HookRequest {
  const { authorization: _a, cookie: _c, ...headers } = req.headers;
  return { method: req.method, path: req.path, remoteAddress: req.remoteAddress, headers };
}

/**
 * The one place every route asks whether an action may be done: bdfu's policy first (a bearer
 * token's principal, or `'link'` when link-policy.ts already allowed a signed link or download
 * token), then the operator's authorize hook, which can only refuse what the policy allowed.
 */
export async function permit(req: CoreRequest, hooks: HookRunner | undefined, who: Principal | 'link', action: HookAction, resource: Resource): Promise<void> {
  const principal = who === 'link' ? undefined : who;
  if (principal) {
    if (action === 'audit') authorizeAdmin(principal, 'read the audit trail');
    else authorize(principal, action, resource);
  }
  if (hooks) await hooks.authorize({ principal, action, resource, request: hookRequest(req) });
}
