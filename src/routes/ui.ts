import { HttpError } from '../core/http-error.js';
import type { RouteHandler } from '../core/router.js';
import type { CoreResponse } from '../core/types.js';
import { APP_CSS, APP_CSS_NAME, APP_JS, APP_JS_NAME, PAGE_HTML } from '../ui/assets.generated.js';

/** The page may load its own script and style and talk to its own server; nothing else. */
export const PAGE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
  "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const COMMON = {
  'content-security-policy': PAGE_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

function asset(type: string, body: string, cacheControl: string): CoreResponse {
  return {
    status: 200,
    headers: { ...COMMON, 'content-type': type, 'content-length': String(Buffer.byteLength(body)), 'cache-control': cacheControl },
    body,
  };
}

/**
 * The page, served at `{endpoint}` and `{endpoint}ui/`. Every URL in it is relative, so it works
 * under any mount point; only the way back to the endpoint differs between the two places.
 */
function page(atUi: boolean): CoreResponse {
  const assets = atUi ? '' : 'ui/';
  const html = PAGE_HTML.replaceAll('{{endpoint}}', atUi ? '../' : './')
    .replaceAll('{{app.js}}', assets + APP_JS_NAME)
    .replaceAll('{{app.css}}', assets + APP_CSS_NAME);
  return asset('text/html; charset=utf-8', html, 'no-cache');
}

export function createPageHandler(options: { atUi: boolean }): RouteHandler {
  const response = page(options.atUi);
  return async () => ({ ...response });
}

/** GET {endpoint}ui/app-<hash>.js and .css: named by their content, so cached for good. */
export function createAssetHandler(): RouteHandler {
  const forever = 'public, max-age=31536000, immutable';
  return async (_req, params) => {
    if (params.asset === APP_JS_NAME) return asset('text/javascript; charset=utf-8', APP_JS, forever);
    if (params.asset === APP_CSS_NAME) return asset('text/css; charset=utf-8', APP_CSS, forever);
    throw new HttpError(404, 'not_found', 'no such file of the web page');
  };
}
