import { HttpError } from '../core/http-error.js';
import { downloadTokenMatches } from './download-token.js';
import { checkSignedLink, type SignedLinkRequest } from './signed-link.js';

/**
 * Access without an account, by what the URL carries. A download token is checked against the
 * file's stored hash before anything says whether the file exists: a missing file and a wrong
 * token look the same (403), so ids cannot be probed.
 */
export type LinkCredential =
  | { kind: 'download-token'; token: string; tokenHash: string | undefined }
  | ({ kind: 'signed-link' } & SignedLinkRequest);

/** `key` may be given lazily: a download token needs none. */
export function authorizeLink(credential: LinkCredential, key: Uint8Array | (() => Uint8Array), now: number): void {
  if (credential.kind === 'download-token') {
    if (!downloadTokenMatches(credential.token, credential.tokenHash)) {
      throw new HttpError(403, 'download_token_invalid', 'the download token is wrong, or this file has none');
    }
    return;
  }
  const verdict = checkSignedLink(credential, typeof key === 'function' ? key() : key, now);
  if (verdict === 'expired') throw new HttpError(403, 'link_expired', 'this link has expired: ask its owner for a new one');
  if (verdict !== 'valid') throw new HttpError(403, 'link_invalid', 'this link is not valid: its address was changed or it was not made by this server');
}
