import { HttpError } from '../core/http-error.js';
import type { Principal, Scope } from './principal.js';

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

/** 403 insufficient_scope, with the challenge that names the scope a token lacks (RFC 6750 §3.1). */
export function insufficientScope(scope: string, message: string): HttpError {
  return new HttpError(403, 'insufficient_scope', message, {
    headers: { 'www-authenticate': `Bearer realm="bdfu", error="insufficient_scope", scope="${scope}"` },
  });
}

const lacking = (needed: Scope, action: Action) => insufficientScope(needed, `this token lacks the '${needed}' scope needed to ${VERB[action]} files`);

/**
 * The one place that decides whether a bearer token's principal may do an action on a resource.
 * (Access by a download token or a signed link, with no principal, is decided in link-policy.ts.)
 * `admin` reaches every user's files; everyone else only their own, and only with the action's scope.
 */
export function authorize(principal: Principal, action: Action, resource: Resource): void {
  if (principal.scopes.has('admin')) return;
  const needed = SCOPE_FOR[action];
  if (resource.owner === undefined) throw lacking(needed, action);
  if (principal.user !== resource.owner) {
    throw new HttpError(403, 'forbidden', `this token may not ${VERB[action]} files of another user`);
  }
  if (!principal.scopes.has(needed)) throw lacking(needed, action);
}

/** For what only an admin may see (the audit trail). */
export function authorizeAdmin(principal: Principal, what: string): void {
  if (principal.scopes.has('admin')) return;
  throw insufficientScope('admin', `only a token with the 'admin' scope may ${what}`);
}

/**
 * Who may list and revoke the apps a person allowed: that person (any token of theirs but an
 * app's: an app may not keep itself approved) and admins.
 */
export function authorizeApprovals(principal: Principal, owner: string): void {
  if (principal.app) throw new HttpError(403, 'app_token', "an app's token cannot see or change which apps are allowed");
  if (principal.scopes.has('admin') || principal.user === owner) return;
  throw new HttpError(403, 'forbidden', "this token may not manage another user's apps");
}
