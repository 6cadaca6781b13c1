import { noteAudit } from '../core/audit-facts.js';
import type { CoreRequest } from '../core/types.js';
import { bearerToken } from './bearer.js';
import type { Principal } from './principal.js';
import type { TokenVerifier } from './tokens.js';

/** Reads only the request's headers: nothing of the body is touched before this passes. */
export async function authenticate(req: CoreRequest, verify: TokenVerifier): Promise<Principal> {
  const principal = await verify(bearerToken(req.headers['authorization']));
  noteAudit(req, { user: principal.user });
  return principal;
}
