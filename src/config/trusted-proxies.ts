import { BlockList, isIP } from 'node:net';

/** Which peers may tell bdfu, in X-Forwarded-* headers, who the client really is. */
export interface TrustedProxies {
  trusts(address: string): boolean;
}

/** `::ffff:10.0.0.1` (an IPv4 peer on an IPv6 socket) is `10.0.0.1`. */
export function plainAddress(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1]! : address;
}

const family = (address: string) => (isIP(address) === 6 ? 'ipv6' : 'ipv4');

/** Why an entry of TRUSTED_PROXIES is not an address or CIDR range, or undefined when it is. */
function entryProblem(entry: string): string | undefined {
  const [address = '', prefix, extra] = entry.split('/');
  if (extra !== undefined || !isIP(address)) return 'is not an IP address or a CIDR range';
  if (prefix === undefined) return undefined;
  const max = isIP(address) === 6 ? 128 : 32;
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > max) return `has a prefix length that is not 0 to ${max}`;
  return undefined;
}

/** Throws an Error naming the first bad entry; the configuration loader turns it into a ConfigError. */
export function parseTrustedProxies(entries: readonly string[]): TrustedProxies {
  const list = new BlockList();
  for (const raw of entries) {
    const entry = raw.trim();
    const problem = entryProblem(entry);
    if (problem) throw new Error(`${JSON.stringify(raw)} ${problem} (write e.g. '127.0.0.1', '::1' or '10.0.0.0/8')`);
    const [address, prefix] = entry.split('/') as [string, string | undefined];
    const plain = plainAddress(address);
    if (prefix === undefined) list.addAddress(plain, family(plain));
    else list.addSubnet(address, Number(prefix), family(address));
  }
  if (entries.length === 0) return { trusts: () => false };
  // A peer's verdict is remembered: BlockList.check makes a SocketAddress per call (~1 % of a
  // small upload's CPU), and a server sees the same few proxies again and again.
  const verdicts = new Map<string, boolean>();
  return {
    trusts(address: string): boolean {
      let verdict = verdicts.get(address);
      if (verdict === undefined) {
        const plain = plainAddress(address);
        verdict = isIP(plain) !== 0 && list.check(plain, family(plain));
        if (verdicts.size >= 1024) verdicts.clear();
        verdicts.set(address, verdict);
      }
      return verdict;
    },
  };
}
