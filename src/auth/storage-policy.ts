import { HttpError } from '../core/http-error.js';
import { unauthorized } from './bearer.js';
import { insufficientScope } from './policy.js';
import type { Principal } from './principal.js';

/**
 * The module a remoteStorage path belongs to: `/notes/a.md` → notes, `/public/notes/a.md` →
 * notes (public); the root folders `/` and `/public/` belong to none (only `*:` reaches them).
 */
export function moduleOf(path: string): { module: string | undefined; isPublic: boolean } {
  const segments = path.split('/').slice(1);
  const isPublic = segments[0] === 'public' && segments.length > 1;
  const index = isPublic ? 1 : 0;
  const last = segments.length - 1;
  // A document directly in the root (`/a.md`) has no module either.
  const module = index < last ? segments[index] : undefined;
  return { module, isPublic };
}

/**
 * The one place that decides remoteStorage access (draft-dejong-remotestorage §9): documents
 * under `/public/` are readable by anyone; everything else needs a token of the storage's own
 * user with `<module>:r` (reads) or `<module>:rw` (writes), or `*:r` / `*:rw`.
 */
export function authorizeStorage(principal: Principal | undefined, owner: string, path: string, write: boolean): void {
  const { isPublic } = moduleOf(path);
  if (!write && isPublic && !path.endsWith('/')) return;
  authorizeStorageOwner(principal, owner, path, write);
}

/**
 * The owner's token with the module's scope, under `/public/` too: what a document's history
 * needs (only a public document's current bytes are for anyone).
 */
export function authorizeStorageOwner(principal: Principal | undefined, owner: string, path: string, write: boolean): void {
  const { module } = moduleOf(path);
  if (!principal) throw unauthorized('token_missing', 'this needs a bearer token (Authorization header or access_token parameter)', false);
  if (principal.user !== owner) throw new HttpError(403, 'forbidden', "this token is not for this user's storage");
  const access = (module !== undefined ? principal.modules?.get(module) : undefined) ?? principal.modules?.get('*');
  if (access === 'rw' || (access === 'r' && !write)) return;
  const needed = `${module ?? '*'}:${write ? 'rw' : 'r'}`;
  throw insufficientScope(needed, `this token lacks the '${needed}' scope`);
}
