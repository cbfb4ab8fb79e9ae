import type { IncomingMessage } from 'node:http';
import { isIP, isIPv4 } from 'node:net';

/** Leading bits of an IPv6 address that name one client for per-IP limits (one subscriber's /64). @default 64 */
export const IPV6_PREFIX_BITS_DEFAULT = 64;

/**
 * The client's address, as per-IP limits count it. With `trustProxyHops` proxies in front (nginx = 1),
 * it is the entry that many places from the right of `X-Forwarded-For`, the one the outermost trusted
 * proxy appended; entries further left were written by the client and could be anything. With 0 the
 * socket's peer counts. The address is then grouped by {@link ipLimitKey}.
 */
export function clientIp(req: IncomingMessage, trustProxyHops: number, ipv6PrefixBits = IPV6_PREFIX_BITS_DEFAULT): string {
  return ipLimitKey(forwardedAddress(req, trustProxyHops), ipv6PrefixBits);
}

function forwardedAddress(req: IncomingMessage, trustProxyHops: number): string {
  const peer = req.socket.remoteAddress ?? 'unknown';
  if (trustProxyHops === 0) return peer;
  const header = req.headers['x-forwarded-for'];
  const list = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',').map((part) => part.trim());
  const entries = list.filter((part) => part.length > 0);
  if (entries.length === 0) return peer;
  return (entries[entries.length - trustProxyHops] ?? entries[0]!).slice(0, 64);
}

const IPV4_MAPPED = '::ffff:';

/**
 * What one client counts as: an IPv4 address as it is (an IPv4-mapped `::ffff:1.2.3.4` too), an IPv6
 * address by its first `prefixBits` bits (`2001:db8:0:0:0:0:0:0/64`), since one subscriber holds a
 * whole /64 and could otherwise take a fresh address for every connection. Anything else is kept as is.
 */
export function ipLimitKey(address: string, prefixBits: number): string {
  // The common cases without parsing on every connect: no colon is no IPv6 address, kept as is, and
  // an IPv4 client of a dual-stack listener (`::ffff:1.2.3.4`) counts as its IPv4 address.
  if (!address.includes(':')) return address;
  if (address.startsWith(IPV4_MAPPED) && isIPv4(address.slice(IPV4_MAPPED.length))) return address.slice(IPV4_MAPPED.length);
  const plain = address.split('%', 1)[0]!;
  if (isIP(plain) !== 6) return address;
  const groups = ipv6Groups(plain);
  if (groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff) {
    return [groups[6]! >> 8, groups[6]! & 0xff, groups[7]! >> 8, groups[7]! & 0xff].join('.');
  }
  const masked = groups.map((group, index) => {
    const bits = Math.min(16, Math.max(0, prefixBits - 16 * index));
    return (group & (0xffff << (16 - bits)) & 0xffff).toString(16);
  });
  return prefixBits >= 128 ? masked.join(':') : `${masked.join(':')}/${prefixBits}`;
}

/** The eight 16-bit groups of a valid IPv6 address (`::` expanded, a trailing dotted IPv4 converted). */
function ipv6Groups(address: string): number[] {
  let text = address;
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const split = (part: string): string[] => (part === '' ? [] : part.split(':'));
  const left = split(head);
  const right = tail === undefined ? [] : split(tail);
  const zeros = tail === undefined ? [] : new Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((group) => Number.parseInt(group, 16));
}
