import { bearerToken } from '../../auth/bearer.js';
import type { Principal } from '../../auth/principal.js';
import { noteAudit } from '../../core/audit-facts.js';
import { HttpError } from '../../core/http-error.js';
import type { RouteParams } from '../../core/router.js';
import type { CoreRequest } from '../../core/types.js';
import { documentPathProblem } from '../../storage/document-path.js';
import { userNameProblem } from '../../storage/user-name.js';
import type { RouteDeps } from '../deps.js';

export interface StorageTarget {
  user: string;
  /** The document or folder path inside the user's storage: `/notes/a.md`, `/notes/`. */
  path: string;
  isFolder: boolean;
}

/**
 * `{endpoint}storage/<user>/<path>`, from the router's decoded segments. An encoded slash (`%2F`),
 * which once decoded could not be told from a separator, is refused by looking at the path as sent.
 */
export function storageTarget(req: CoreRequest, params: RouteParams): StorageTarget {
  if (/%2f/i.test(req.path)) throw new HttpError(400, 'bad_path', 'a path segment may not contain an encoded slash (%2F)');
  const user = params.user!;
  const userProblem = userNameProblem(user);
  if (userProblem) throw new HttpError(400, 'invalid_user', `the user name ${userProblem}`);
  const path = `/${params.path!}`;
  const isFolder = path.endsWith('/');
  const problem = documentPathProblem(path, isFolder ? 'folder' : 'document');
  if (problem) throw new HttpError(400, 'bad_path', `the path ${problem}`);
  return { user, path, isFolder };
}

/** The bearer token from `Authorization`, or else the `access_token` query parameter (§10); none: undefined. */
export async function storagePrincipal(req: CoreRequest, deps: RouteDeps): Promise<Principal | undefined> {
  const header = req.headers['authorization'];
  const query = req.query.get('access_token');
  if (header === undefined && query === null) return undefined;
  const principal = await deps.verify(header !== undefined ? bearerToken(header) : query!);
  noteAudit(req, { user: principal.user });
  return principal;
}
