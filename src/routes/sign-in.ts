import { checkCredentials, type Account } from '../accounts/accounts.js';
import { countSignIn, signedIn } from '../accounts/sign-in-throttle.js';
import { signToken } from '../auth/tokens.js';
import { noteAudit } from '../core/audit-facts.js';
import { HttpError } from '../core/http-error.js';
import { jsonResponse } from '../core/respond.js';
import type { RouteHandler } from '../core/router.js';
import type { CoreRequest } from '../core/types.js';
import { isRefusal } from '../sharing/refusal.js';
import { userNameProblem } from '../storage/user-name.js';
import type { RouteDeps } from './deps.js';
import { readForm, readJsonObject } from './share-links/json-body.js';

/** How long a token from signing in lasts: a web page session, not a credential to keep. */
export const SIGN_IN_TOKEN_SECONDS = 3600;

async function credentials(req: CoreRequest): Promise<{ user: string; password: string }> {
  const form = String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
  const body = form ? Object.fromEntries(await readForm(req)) : await readJsonObject(req);
  const { user, password } = body as Record<string, unknown>;
  if (typeof user !== 'string' || user === '' || typeof password !== 'string' || password === '') {
    throw new HttpError(400, 'bad_credentials_form', 'send the user name and password as JSON {"user", "password"} or a form');
  }
  const problem = userNameProblem(user);
  if (problem) throw new HttpError(400, 'invalid_user', `the user name ${problem}`);
  return { user, password };
}

/**
 * The account, when `password` is its password; tries are throttled before the password is
 * checked (accounts/sign-in-throttle.ts): 429 too_many_tries, 401 bad_credentials.
 */
export async function checkSignIn(deps: RouteDeps, user: string, password: string, address: string): Promise<Account> {
  const records = deps.backend.records;
  try {
    await countSignIn(records, user, address, deps.now);
  } catch (error) {
    if (!isRefusal(error)) throw error;
    throw new HttpError(429, 'too_many_tries', `too many sign-in tries; try again in ${error.retryAfterSeconds} seconds`, {
      headers: { 'retry-after': String(error.retryAfterSeconds) },
    });
  }
  const account = await checkCredentials(records, user, password);
  if (!account) throw new HttpError(401, 'bad_credentials', 'wrong user name or password');
  await signedIn(records, user, address);
  return account;
}

/** POST {endpoint}sign-in: an account's name and password → a short-lived token with the account's scopes. */
export function createSignInHandler(deps: RouteDeps): RouteHandler {
  return async (req) => {
    const { user, password } = await credentials(req);
    noteAudit(req, { owner: user });
    if (!deps.settings.jwtSecretKey) throw new HttpError(501, 'sign_in_unavailable', 'signing in needs JWT_SECRET_KEY (this server only verifies tokens signed elsewhere)');
    const account = await checkSignIn(deps, user, password, req.remoteAddress);
    const now = Math.floor(deps.now() / 1000);
    const token = await signToken({ user, secret: deps.settings.jwtSecretKey, scopes: account.scopes, expiresIn: SIGN_IN_TOKEN_SECONDS, now });
    const expires = new Date((now + SIGN_IN_TOKEN_SECONDS) * 1000).toISOString();
    noteAudit(req, { user });
    return jsonResponse(200, { token, user, scopes: account.scopes, expires }, { 'cache-control': 'no-store' });
  };
}
