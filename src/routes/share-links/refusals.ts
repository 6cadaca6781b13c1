import { HttpError } from '../../core/http-error.js';
import type { CoreResponse } from '../../core/types.js';
import { isRefusal, type Refusal } from '../../sharing/refusal.js';
import { gonePage, notFoundPage } from './file-page.js';

const GONE = new Set(['revoked', 'expired', 'exhausted', 'full']);

/** What a link that does not serve answers: stable codes for programs (410 link_expired…). */
export function refusalError(refusal: Refusal): HttpError {
  if (refusal.reason === 'missing') return new HttpError(404, 'link_not_found', 'no such link');
  if (refusal.reason === 'throttled') {
    return new HttpError(429, 'too_many_tries', `too many password tries on this link from your address; try again in ${refusal.retryAfterSeconds} seconds`, {
      headers: { 'retry-after': String(refusal.retryAfterSeconds) },
    });
  }
  if (GONE.has(refusal.reason)) {
    const text = refusal.reason === 'full' ? 'this upload link has received all the files it allows' : `this link is ${refusal.reason}`;
    return new HttpError(410, refusal.reason === 'full' ? 'request_full' : `link_${refusal.reason}`, text);
  }
  return new HttpError(403, 'forbidden', refusal.reason);
}

/** Runs `work`; a Refusal becomes a clear HTML page for browsers (404/410) or its HttpError otherwise. */
export async function answeringRefusals(page: boolean, work: () => Promise<CoreResponse>): Promise<CoreResponse> {
  try {
    return await work();
  } catch (error) {
    if (!isRefusal(error)) throw error;
    if (page && error.reason === 'missing') return notFoundPage();
    if (page && GONE.has(error.reason)) return gonePage(error.reason);
    throw refusalError(error);
  }
}
