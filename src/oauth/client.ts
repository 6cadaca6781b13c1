/**
 * An OAuth client as remoteStorage apps are: `client_id` is the app's origin (or a URL on it) and
 * `redirect_uri` must lie on that origin (draft-dejong-remotestorage §11). The answer is the
 * origin, or why the pair is refused: then the dialog shows an error page and never redirects.
 */
export function clientOrigin(clientId: string | null, redirectUri: string | null): { origin: string; redirect: URL } | { problem: string } {
  if (!clientId) return { problem: 'the request names no app (client_id is missing)' };
  if (!redirectUri) return { problem: 'the request says nowhere to return to (redirect_uri is missing)' };
  const client = parseWebUrl(clientId);
  if (!client) return { problem: 'client_id is not an http(s) origin or URL' };
  const redirect = parseWebUrl(redirectUri);
  if (!redirect) return { problem: 'redirect_uri is not an absolute http(s) URL' };
  if (redirect.hash !== '' || redirectUri.includes('#')) return { problem: 'redirect_uri may not have a fragment (#…)' };
  if (redirect.username !== '' || redirect.password !== '') return { problem: 'redirect_uri may not carry a user name or password' };
  if (redirect.origin !== client.origin) return { problem: `redirect_uri (${redirect.origin}) is not on the app's origin (${client.origin})` };
  return { origin: client.origin, redirect };
}

function parseWebUrl(text: string): URL | undefined {
  try {
    const url = new URL(text);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url : undefined;
  } catch {
    return undefined;
  }
}

/** The origin of an http(s) URL; undefined for anything else. */
export const originOf = (text: string): string | undefined => parseWebUrl(text)?.origin;
