import { authenticate } from '../auth/authenticate.js';
import { permit } from '../auth/permit.js';
import type { RouteHandler } from '../core/router.js';
import { jsonResponse } from '../core/respond.js';
import type { RouteDeps } from './deps.js';
import { newestFirst } from './newest-by-name.js';

/** GET files/<user>/: the user's files, newest first. */
export function createFilesListHandler(deps: RouteDeps): RouteHandler {
  return async (req, params) => {
    const user = params.user!;
    await permit(req, deps.hooks, await authenticate(req, deps.verify), 'list', { owner: user });
    const records = [];
    for await (const record of deps.store.list(user)) records.push(record);
    records.sort(newestFirst);
    const files = records.map(({ id, name, size, type, sha256, uploaded }) => ({ id, name, size, type, sha256, uploaded }));
    return jsonResponse(200, { files });
  };
}

/** GET files/: every user with a storage area (admin only). */
export function createUsersListHandler(deps: RouteDeps): RouteHandler {
  return async (req) => {
    await permit(req, deps.hooks, await authenticate(req, deps.verify), 'list-users', {});
    const users = [];
    for await (const user of deps.store.users()) users.push(user);
    return jsonResponse(200, { users: users.sort() });
  };
}
