import { bearerToken } from '../../auth/bearer.js';
import type { Principal } from '../../auth/principal.js';
import { HttpError } from '../../core/http-error.js';
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
 * `{endpoint}storage/<user>/<path>` from the path as sent: each segment decoded on its own, so an
 * encoded slash (`%2F`), which once decoded could not be told from a separator, is refused.
 */
export function storageTarget(req: CoreRequest): StorageTarget {
  const raw = req.path.split('/').slice(2);
  const [encodedUser = '', ...rest] = raw;
  if (rest.some((segment) => /%2f/i.test(segment))) throw new HttpError(400, 'bad_path', 'a path segment may not contain an encoded slash (%2F)');
  const decode = (segment: string) => {
    try {
      return decodeURIComponent(segment);
    } catch {
      throw new HttpError(400, 'bad_path', 'the request path is not valid percent-encoding');
    }
  };
  const user = decode(encodedUser);
  const userProblem = userNameProblem(user);
  if (userProblem) throw new HttpError(400, 'invalid_user', `the user name ${userProblem}`);
  const path = '/' + rest.map(decode).join('/');
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
  req.audit = { ...req.audit, user: principal.user };
  return principal;
}
