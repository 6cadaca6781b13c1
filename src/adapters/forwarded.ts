import { isIP } from 'node:net';
import { plainAddress, type TrustedProxies } from '../config/trusted-proxies.js';
import { isValidHost } from '../core/public-base.js';

export interface Origin {
  /** The client's address: the peer's, or the one a trusted proxy vouched for. */
  remoteAddress: string;
  protocol: 'http' | 'https';
  /** The Host the client asked for. */
  host: string;
}

/** The values of a list header, in order; repeated headers were already joined with `, `. */
const items = (value: string | undefined) => (value ?? '').split(',').map((item) => item.trim()).filter(Boolean);

/**
 * Who the client is and what URL it used. X-Forwarded-* are believed only when the peer is a
 * trusted proxy; X-Forwarded-For is walked from the right (each proxy appends the address it
 * saw) until an address that is not a trusted proxy: everything left of that the client wrote.
 */
export function requestOrigin(
  peer: string,
  headers: Record<string, string>,
  direct: { protocol: 'http' | 'https'; host: string },
  trusted: TrustedProxies,
): Origin {
  const origin: Origin = { remoteAddress: plainAddress(peer), ...direct };
  if (!trusted.trusts(origin.remoteAddress)) return origin;

  const hops = items(headers['x-forwarded-for']);
  while (trusted.trusts(origin.remoteAddress) && hops.length > 0) {
    const hop = plainAddress(hops.pop()!);
    if (!isIP(hop)) break;
    origin.remoteAddress = hop;
  }
  const protocol = items(headers['x-forwarded-proto']).at(-1)?.toLowerCase();
  if (protocol === 'http' || protocol === 'https') origin.protocol = protocol;
  const host = items(headers['x-forwarded-host']).at(-1);
  if (host && isValidHost(host)) origin.host = host;
  return origin;
}
