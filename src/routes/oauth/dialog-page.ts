import type { CoreResponse } from '../../core/types.js';
import { describeScope } from '../../oauth/scope.js';
import type { Approval } from '../../oauth/approvals.js';
import { escapeHtml, htmlPage, PAGE_CSP } from '../share-links/html.js';
import type { AuthorizationRequest } from './authorization-request.js';

/** The dialog may submit to itself and follow the answer's redirect back to the app, nowhere else. */
const cspFor = (client: string) => PAGE_CSP.replace("form-action 'self'", `form-action 'self' ${client}`);

export function dialogPage(request: AuthorizationRequest, form: string, options: { status?: number; problem?: string; earlier?: Approval; action: string }): CoreResponse {
  const asks = request.scopes.map((s) => `<li>${escapeHtml(describeScope(s))} <small>(${escapeHtml(s)})</small></li>`).join('');
  const earlier = options.earlier ? `<p>You allowed this app on ${escapeHtml(options.earlier.created.slice(0, 10))}; it asks again.</p>` : '';
  const problem = options.problem ? `<p class="error" role="alert">${escapeHtml(options.problem)}</p>` : '';
  const body = `<h1>Allow ${escapeHtml(request.client)} to use your storage?</h1>
<p>The app at <strong>${escapeHtml(request.client)}</strong> asks to:</p><ul>${asks}</ul>${earlier}
<p>It gets a token for <strong>${escapeHtml(request.user)}</strong>'s storage and nothing else; you can revoke it on bdfu's page at any time.</p>
${problem}<form method="post" action="${escapeHtml(options.action)}">
<input type="hidden" name="form" value="${escapeHtml(form)}">
<label for="user">User name</label><input id="user" name="user" value="${escapeHtml(request.user)}" autocomplete="username" readonly>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" autofocus>
<p><button type="submit" name="decision" value="allow">Allow</button> <button type="submit" name="decision" value="deny" formnovalidate>Deny</button></p>
</form>`;
  // same-origin, not no-referrer: with no-referrer the browser sends `Origin: null` with the form,
  // and the Origin check could not tell the dialog's own form from a forged one.
  return htmlPage(options.status ?? 200, `Allow ${request.client}?`, body, { 'content-security-policy': cspFor(request.client), 'referrer-policy': 'same-origin' });
}

/** `back`: the app's redirect with the error (RFC 6749 §4.1.2.1), as a link the person follows, never an automatic redirect. */
export function dialogErrorPage(status: number, message: string, back?: { url: string; app: string }): CoreResponse {
  const next = back
    ? `<p>Nothing was shared. <a class="button" href="${escapeHtml(back.url)}">Back to ${escapeHtml(back.app)}</a></p>`
    : '<p>Nothing was shared. Go back to the app and try again, or tell its author.</p>';
  return htmlPage(status, 'This app cannot connect', `<h1>This app cannot connect</h1><p class="error">${escapeHtml(message)}</p>${next}`);
}
