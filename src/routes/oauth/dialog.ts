import { signToken } from '../../auth/tokens.js';
import { noteAudit } from '../../core/audit-facts.js';
import { HttpError } from '../../core/http-error.js';
import type { RouteHandler } from '../../core/router.js';
import type { CoreRequest, CoreResponse } from '../../core/types.js';
import { approve, listApprovals } from '../../oauth/approvals.js';
import { CODE_SECONDS, issueCode } from '../../oauth/codes.js';
import { openForm, signForm } from '../../oauth/form-token.js';
import type { RouteDeps } from '../deps.js';
import { readForm } from '../share-links/json-body.js';
import { checkSignIn } from '../sign-in.js';
import { appErrorRedirect, appErrorUrl, parseAuthorizationRequest, redirectToApp, type AuthorizationRequest } from './authorization-request.js';
import { dialogErrorPage, dialogPage } from './dialog-page.js';

/** How long an app's token lasts (at most TOKEN_MAX_LIFETIME_SECONDS); revoking the approval ends it sooner. */
export const APP_TOKEN_SECONDS = 30 * 24 * 3600;

export const appTokenSeconds = (deps: RouteDeps) => Math.min(APP_TOKEN_SECONDS, deps.settings.tokenMaxLifetimeSeconds);

async function showDialog(deps: RouteDeps, req: CoreRequest, request: AuthorizationRequest, options: { status?: number; problem?: string } = {}): Promise<CoreResponse> {
  const earlier = (await listApprovals(deps.backend.records, request.user)).find((a) => a.client === request.client);
  const form = signForm(deps.settings.jwtSecretKey, request, deps.now());
  return dialogPage(request, form, { ...options, ...(earlier ? { earlier } : {}), action: `${req.baseUrl}oauth/${encodeURIComponent(request.user)}` });
}

/** GET {endpoint}oauth/<user>: the page where the person signs in and allows or denies the app. */
export function createDialogHandler(deps: RouteDeps): RouteHandler {
  return async (req, params) => {
    const parsed = parseAuthorizationRequest(params.user!, req.query);
    noteAudit(req, { owner: params.user! });
    if ('page' in parsed) return dialogErrorPage(parsed.status, parsed.page);
    // Not an automatic redirect: any site can be a client here, so that would make bdfu an open
    // redirector (RFC 6749 §10.15). The person sees why, and follows the link back to the app.
    if ('appError' in parsed) {
      return dialogErrorPage(400, `The app's request is wrong (${parsed.appError.error}): ${parsed.appError.description}.`, {
        url: appErrorUrl(parsed.redirect, parsed.appError), app: parsed.redirect.client,
      });
    }
    if (!deps.settings.jwtSecretKey) return dialogErrorPage(501, 'This server cannot give apps tokens: it has no JWT_SECRET_KEY.');
    noteAudit(req, { name: parsed.request.client });
    return showDialog(deps, req, parsed.request);
  };
}

/**
 * A form sent from another site is refused: browsers say where a form came from in Origin (and
 * Sec-Fetch-Site); either one naming another site is enough.
 */
function crossSite(req: CoreRequest): boolean {
  const origin = req.headers['origin'];
  if (origin !== undefined && origin !== new URL(req.baseUrl).origin) return true;
  return req.headers['sec-fetch-site'] === 'cross-site';
}

async function grant(deps: RouteDeps, request: AuthorizationRequest): Promise<CoreResponse> {
  const records = deps.backend.records;
  const approval = await approve(records, request.user, request.client, request.scopes, new Date(deps.now()));
  const app = { client: request.client, grant: approval.id };
  if (request.responseType === 'code') {
    const code = await issueCode(records, {
      user: request.user, client: request.client, redirectUri: request.redirectUri, scopes: request.scopes,
      grant: approval.id, challenge: request.challenge!, expires: deps.now() + CODE_SECONDS * 1000,
    });
    return redirectToApp(request, { code });
  }
  const expiresIn = appTokenSeconds(deps);
  const token = await signToken({ user: request.user, secret: deps.settings.jwtSecretKey, scopes: request.scopes, expiresIn, app, now: Math.floor(deps.now() / 1000) });
  return redirectToApp(request, { access_token: token, token_type: 'bearer', expires_in: String(expiresIn), scope: request.scopes.join(' ') });
}

/** POST {endpoint}oauth/<user>: the dialog's answer, allow (with the password) or deny. */
export function createDialogAnswerHandler(deps: RouteDeps): RouteHandler {
  return async (req, params) => {
    noteAudit(req, { owner: params.user! });
    if (!deps.settings.jwtSecretKey) return dialogErrorPage(501, 'This server cannot give apps tokens: it has no JWT_SECRET_KEY.');
    if (crossSite(req)) return dialogErrorPage(403, 'This form was sent from another site. Open the app again and connect from there.');
    const form = await readForm(req);
    const request = openForm<AuthorizationRequest>(deps.settings.jwtSecretKey, form.get('form'), deps.now());
    if (!request || request.user !== params.user) return dialogErrorPage(400, 'This form is too old or was changed. Go back to the app and connect again.');
    noteAudit(req, { name: request.client });
    if (form.get('decision') !== 'allow') {
      noteAudit(req, { action: 'app-deny' });
      return appErrorRedirect(request, { error: 'access_denied', description: 'the user denied the request' });
    }
    try {
      await checkSignIn(deps, request.user, form.get('password') ?? '', req.remoteAddress);
    } catch (error) {
      if (!(error instanceof HttpError) || (error.status !== 401 && error.status !== 429)) throw error;
      return showDialog(deps, req, request, { status: error.status, problem: error.status === 401 ? 'Wrong password.' : error.message });
    }
    noteAudit(req, { user: request.user, action: 'app-allow' });
    return grant(deps, request);
  };
}
