import { signToken } from '../../auth/tokens.js';
import { noteAudit } from '../../core/audit-facts.js';
import { jsonResponse } from '../../core/respond.js';
import type { RouteHandler } from '../../core/router.js';
import { originOf } from '../../oauth/client.js';
import { stillApproved } from '../../oauth/approvals.js';
import { redeemCode, verifierMatches } from '../../oauth/codes.js';
import type { RouteDeps } from '../deps.js';
import { readForm } from '../share-links/json-body.js';
import { appTokenSeconds } from './dialog.js';

/** RFC 6749 §5.2: the error's code in `error`, words in `error_description`. */
const refuse = (status: number, error: string, description: string) => jsonResponse(status, { error, error_description: description });

/**
 * POST {endpoint}token (RFC 6749 §4.1.3, RFC 7636 §4.5): an authorization code from the dialog,
 * with the PKCE code_verifier, for the app's token. Each code works once, within a minute.
 */
export function createTokenHandler(deps: RouteDeps): RouteHandler {
  return async (req) => {
    const form = await readForm(req);
    if (form.get('grant_type') !== 'authorization_code') return refuse(400, 'unsupported_grant_type', 'grant_type must be authorization_code');
    const secret = deps.settings.jwtSecretKey;
    if (!secret) return refuse(501, 'temporarily_unavailable', 'this server cannot give apps tokens: it has no JWT_SECRET_KEY');
    const pending = await redeemCode(deps.backend.records, form.get('code') ?? '', deps.now());
    if (!pending) return refuse(400, 'invalid_grant', 'the code is unknown, used already or expired');
    noteAudit(req, { owner: pending.user, name: pending.client });
    const clientId = form.get('client_id');
    if (form.get('redirect_uri') !== pending.redirectUri || (clientId !== null && originOf(clientId) !== pending.client)) {
      return refuse(400, 'invalid_grant', 'redirect_uri or client_id differ from the authorization request');
    }
    if (!verifierMatches(form.get('code_verifier') ?? '', pending.challenge)) return refuse(400, 'invalid_grant', 'the code_verifier does not match the code_challenge');
    const app = { client: pending.client, grant: pending.grant };
    if (!(await stillApproved(deps.backend.records, pending.user, app))) return refuse(400, 'invalid_grant', 'the approval was revoked');
    const expiresIn = appTokenSeconds(deps);
    const token = await signToken({ user: pending.user, secret, scopes: pending.scopes, expiresIn, app, now: Math.floor(deps.now() / 1000) });
    noteAudit(req, { user: pending.user });
    return jsonResponse(200, { access_token: token, token_type: 'bearer', expires_in: expiresIn, scope: pending.scopes.join(' ') }, { pragma: 'no-cache' });
  };
}
