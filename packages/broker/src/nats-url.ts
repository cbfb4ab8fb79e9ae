import { BrokerError } from './errors.js';

/** What a `nats://[user:pass@]host:port[,host:port][?replicas=N]` URL names. */
export interface NatsServers {
  /** `host:port` of every server, in the order given. */
  readonly servers: string[];
  readonly user?: string;
  readonly pass?: string;
  /** A userinfo without a password is a NATS token. */
  readonly token?: string;
  /** Replicas of the stream, so a cluster deployment can ask for 3 through BROKER_URL alone. */
  readonly replicas?: number;
}

function parseReplicas(url: string, query: string | undefined): number | undefined {
  if (query === undefined) return undefined;
  const params = new URLSearchParams(query);
  for (const key of params.keys()) {
    // `partitions` belongs to BROKER_URL as a whole; parseBrokerUrl reads and checks it.
    if (key !== 'replicas' && key !== 'partitions') {
      throw new BrokerError('invalid_url', `"${url}": unknown parameter "${key}" (expected replicas or partitions)`);
    }
  }
  const value = params.get('replicas');
  if (value === null) return undefined;
  if (!/^[1-5]$/.test(value)) throw new BrokerError('invalid_url', `"${url}": replicas must be 1 to 5, not "${value}"`);
  return Number(value);
}

/** Splits a NATS broker URL into its server list; `new URL` cannot, because of the commas. */
export function parseNatsUrl(url: string): NatsServers {
  const match = /^nats:\/\/(?:([^@/?]*)@)?([^/?#]+)\/?(?:\?([^#]*))?$/.exec(url);
  if (!match) throw new BrokerError('invalid_url', `"${url}" is not a NATS URL (expected nats://host:port[,host:port])`);
  const servers = match[2]!.split(',').map((server) => server.trim());
  for (const server of servers) {
    // Each entry must be a host with an optional port, or URL parsing rejects it.
    if (server === '' || !URL.canParse(`nats://${server}`)) {
      throw new BrokerError('invalid_url', `"${server}" in "${url}" is not a host[:port]`);
    }
  }
  const replicas = parseReplicas(url, match[3]);
  const userinfo = match[1];
  if (userinfo === undefined) return { servers, replicas };
  const colon = userinfo.indexOf(':');
  if (colon < 0) return { servers, replicas, token: decodeURIComponent(userinfo) };
  return { servers, replicas, user: decodeURIComponent(userinfo.slice(0, colon)), pass: decodeURIComponent(userinfo.slice(colon + 1)) };
}
