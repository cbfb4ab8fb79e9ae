import type { IncomingMessage } from 'node:http';

/**
 * The client's address. With `trustProxyHops` proxies in front (nginx = 1), it is the entry that many
 * places from the right of `X-Forwarded-For`, the one the outermost trusted proxy appended; entries
 * further left were written by the client and could be anything. With 0 the socket's peer counts.
 */
export function clientIp(req: IncomingMessage, trustProxyHops: number): string {
  const peer = req.socket.remoteAddress ?? 'unknown';
  if (trustProxyHops === 0) return peer;
  const header = req.headers['x-forwarded-for'];
  const list = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',').map((part) => part.trim());
  const entries = list.filter((part) => part.length > 0);
  if (entries.length === 0) return peer;
  return (entries[entries.length - trustProxyHops] ?? entries[0]!).slice(0, 64);
}
