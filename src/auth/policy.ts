import { HttpError } from '../core/http-error.js';
import { downloadTokenMatches } from './download-token.js';
import type { Principal, Scope } from './principal.js';
import { checkSignedLink, type SignedLinkRequest } from './signed-link.js';

export type Action = 'upload' | 'read' | 'list' | 'delete' | 'share' | 'list-users';

/** What an action is done to: a user's files (owner), or one of them (owner and id), or all users. */
export interface Resource {
  owner?: string;
  id?: string;
}

const SCOPE_FOR: Record<Action, Scope> = {
  upload: 'upload', read: 'read', list: 'read', delete: 'delete', share: 'read', 'list-users': 'admin',
};

const VERB: Record<Action, string> = {
  upload: 'upload', read: 'read', list: 'list', delete: 'delete', share: 'share', 'list-users': 'list the users of',
};

function insufficientScope(needed: Scope, action: Action): HttpError {
  return new HttpError(403, 'insufficient_scope', `this token lacks the '${needed}' scope needed to ${VERB[action]} files`, {
    headers: { 'www-authenticate': `Bearer realm="bdfu", error="insufficient_scope", scope="${needed}"` },
  });
}

/**
 * The one place that decides whether a bearer token's principal may do an action on a resource.
 * `admin` reaches every user's files; everyone else only their own, and only with the action's scope.
 */
export function authorize(principal: Principal, action: Action, resource: Resource): void {
  if (principal.scopes.has('admin')) return;
  const needed = SCOPE_FOR[action];
  if (resource.owner === undefined) throw insufficientScope(needed, action);
  if (principal.user !== resource.owner) {
    throw new HttpError(403, 'forbidden', `this token may not ${VERB[action]} files of another user`);
  }
  if (!principal.scopes.has(needed)) throw insufficientScope(needed, action);
}

/**
 * Access without an account, by what the URL carries. A download token is checked against the
 * file's stored hash before anything says whether the file exists: a missing file and a wrong
 * token look the same (403), so ids cannot be probed.
 */
export type LinkCredential =
  | { kind: 'download-token'; token: string; tokenHash: string | undefined }
  | ({ kind: 'signed-link' } & SignedLinkRequest);

export function authorizeLink(credential: LinkCredential, key: Uint8Array, now: number): void {
  if (credential.kind === 'download-token') {
    if (!downloadTokenMatches(credential.token, credential.tokenHash)) {
      throw new HttpError(403, 'download_token_invalid', 'the download token is wrong, or this file has none');
    }
    return;
  }
  const verdict = checkSignedLink(credential, key, now);
  if (verdict === 'expired') throw new HttpError(403, 'link_expired', 'this link has expired: ask its owner for a new one');
  if (verdict !== 'valid') throw new HttpError(403, 'link_invalid', 'this link is not valid: its address was changed or it was not made by this server');
}

/** For what only an admin may see (the audit trail). */
export function authorizeAdmin(principal: Principal, what: string): void {
  if (principal.scopes.has('admin')) return;
  throw new HttpError(403, 'insufficient_scope', `only a token with the 'admin' scope may ${what}`, {
    headers: { 'www-authenticate': 'Bearer realm="bdfu", error="insufficient_scope", scope="admin"' },
  });
}
