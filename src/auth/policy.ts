import { HttpError } from '../core/http-error.js';
import type { Principal, Scope } from './principal.js';

export type Action = 'upload' | 'read' | 'list' | 'delete';

const SCOPE_FOR: Record<Action, Scope> = { upload: 'upload', read: 'read', list: 'read', delete: 'delete' };

/** The one place that decides whether a principal may do an action on a user's files. */
export function authorize(principal: Principal, action: Action, owner: string): void {
  if (principal.scopes.has('admin')) return;
  if (principal.user !== owner) {
    throw new HttpError(403, 'forbidden', `this token may not ${action} files of another user`);
  }
  const needed = SCOPE_FOR[action];
  if (!principal.scopes.has(needed)) {
    throw new HttpError(403, 'insufficient_scope', `this token lacks the '${needed}' scope needed to ${action}`, {
      headers: { 'www-authenticate': `Bearer realm="bdfu", error="insufficient_scope", scope="${needed}"` },
    });
  }
}

/** For what only an admin may see (the audit trail). */
export function authorizeAdmin(principal: Principal, what: string): void {
  if (principal.scopes.has('admin')) return;
  throw new HttpError(403, 'insufficient_scope', `only a token with the 'admin' scope may ${what}`, {
    headers: { 'www-authenticate': 'Bearer realm="bdfu", error="insufficient_scope", scope="admin"' },
  });
}
