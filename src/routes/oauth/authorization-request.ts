import type { ScopeWord } from '../../auth/principal.js';
import type { CoreResponse } from '../../core/types.js';
import { clientOrigin } from '../../oauth/client.js';
import { requestedScopes } from '../../oauth/scope.js';
import { userNameProblem } from '../../storage/user-name.js';

/** What an app asks the dialog for (RFC 6749 §4.1.1 / §4.2.1, with PKCE for the code flow). */
export interface AuthorizationRequest {
  user: string;
  /** The app's origin. */
  client: string;
  redirectUri: string;
  responseType: 'token' | 'code';
  scopes: ScopeWord[];
  state?: string;
  /** S256 code challenge (code flow only). */
  challenge?: string;
}

/** A refusal the app may hear about: redirected back with `error` (RFC 6749 §4.1.2.1, §4.2.2.1). */
export interface AppError {
  error: 'invalid_request' | 'unsupported_response_type' | 'invalid_scope' | 'access_denied';
  description: string;
}

export type Parsed =
  | { request: AuthorizationRequest }
  | { page: string; status: number }
  | { redirect: Omit<AuthorizationRequest, 'scopes'>; appError: AppError };

/**
 * Reads the dialog's query. Problems with the user, client_id or redirect_uri make an error page
 * (redirecting then could send someone anywhere); the others are for the app to hear.
 */
export function parseAuthorizationRequest(user: string, query: URLSearchParams): Parsed {
  const userProblem = userNameProblem(user);
  if (userProblem) return { status: 400, page: `The user name in this address ${userProblem}.` };
  const client = clientOrigin(query.get('client_id'), query.get('redirect_uri'));
  if ('problem' in client) return { status: 400, page: `This app's request cannot be answered: ${client.problem}.` };
  const state = query.get('state') ?? undefined;
  const type = query.get('response_type');
  const base = { user, client: client.origin, redirectUri: client.redirect.href, responseType: type === 'code' ? 'code' as const : 'token' as const, ...(state !== undefined ? { state } : {}) };
  const back = (appError: AppError): Parsed => ({ redirect: base, appError });
  if (type !== 'token' && type !== 'code') return back({ error: 'unsupported_response_type', description: 'response_type must be token (implicit grant) or code (with PKCE)' });
  const scopes = requestedScopes(query.get('scope'));
  if (!scopes) return back({ error: 'invalid_scope', description: 'scope must be words like notes:rw, contacts:r, *:r or *:rw' });
  if (type === 'token') return { request: { ...base, scopes } };
  const challenge = query.get('code_challenge');
  if (!challenge || query.get('code_challenge_method') !== 'S256' || !/^[A-Za-z0-9_-]{43}$/.test(challenge)) {
    return back({ error: 'invalid_request', description: 'the code flow needs PKCE: code_challenge (43 characters) with code_challenge_method=S256' });
  }
  return { request: { ...base, scopes, challenge } };
}

/** The redirect that answers the app: in the fragment for the implicit grant, in the query for the code flow. */
export function redirectToApp(request: Omit<AuthorizationRequest, 'scopes'>, values: Record<string, string>): CoreResponse {
  const url = new URL(request.redirectUri);
  const answer = new URLSearchParams({ ...values, ...(request.state !== undefined ? { state: request.state } : {}) });
  if (request.responseType === 'token') url.hash = answer.toString();
  else for (const [key, value] of answer) url.searchParams.set(key, value);
  return { status: 302, headers: { location: url.href, 'cache-control': 'no-store', 'content-length': '0', 'referrer-policy': 'no-referrer' } };
}

export const appErrorRedirect = (request: Omit<AuthorizationRequest, 'scopes'>, appError: AppError) =>
  redirectToApp(request, { error: appError.error, error_description: appError.description });

/** The URL that tells the app of the error (the redirect's Location). */
export const appErrorUrl = (request: Omit<AuthorizationRequest, 'scopes'>, appError: AppError): string =>
  appErrorRedirect(request, appError).headers['location']!;
