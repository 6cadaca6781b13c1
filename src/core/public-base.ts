import { HttpError } from './http-error.js';
import type { CoreRequest } from './types.js';

/** host[:port]: a name, an IPv4 address or a bracketed IPv6 address; nothing else (RFC 9110 §7.2). */
const HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

export const isValidHost = (host: string): boolean => HOST.test(host);

/**
 * The base every link is built on: PUBLIC_URL when set, else what the adapter made of the
 * request. A Host header that is not a plain host[:port] is refused (RFC 9112 §3.2: 400), so
 * no link ever points where `Host: evil.example/x?#@` says.
 */
export function settleBaseUrl(req: CoreRequest, publicUrl: string): void {
  const host = req.headers.host;
  if (host !== undefined && !isValidHost(host)) throw new HttpError(400, 'bad_host', 'the Host header is not a valid host[:port]');
  if (publicUrl !== '') req.baseUrl = publicUrl;
}
