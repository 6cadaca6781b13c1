import type { CoreRequest } from '../../core/types.js';

/**
 * A link answers with its page or with the file's bytes: the bytes for `?download` (browsers'
 * download button, scripts) or when the client does not ask for HTML (curl, wget, fetch send
 * `*\/*`); the page when the Accept header names text/html (every browser navigation).
 */
export function wantsPage(req: CoreRequest): boolean {
  if (req.query.has('download')) return false;
  return /(^|,)\s*(text\/html|application\/xhtml\+xml)\s*(;|,|$)/i.test(req.headers['accept'] ?? '');
}

/** `?inline`: the preview on the page, served inline (and still sandboxed) for the types a page may preview. */
export function wantsInline(req: CoreRequest): boolean {
  return req.query.has('inline');
}
