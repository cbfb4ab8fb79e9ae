import { mkdirSync } from 'node:fs';
import { startNats, startNatsCluster, startRedis } from '@ssehub/testkit';

/** The broker kinds a cluster can run; `nats-cluster` is 3 nats-servers with a stream of 3 replicas. */
export const BROKER_KINDS = ['redis', 'nats', 'nats-cluster'] as const;

/** `redis`, `nats` or `nats-cluster`. */
export type BrokerKind = (typeof BROKER_KINDS)[number];

/** Nodes of a replicated NATS JetStream cluster. @default 3 */
export const NATS_CLUSTER_SIZE = 3;

/** One server process of the broker. */
export interface BrokerNode {
  readonly url: string;
  /** kill -9: the data on disk stays. */
  kill(): Promise<void>;
  /** Stops it if it still runs and starts it again on the same port and data. */
  restart(): Promise<void>;
  /** What it printed (nats-server logs which node leads the stream). */
  output(): string;
}

/** The cluster's private broker; kill and restart act on every node at once. */
export interface ClusterBroker extends BrokerNode {
  readonly kind: BrokerKind;
  /** The `BROKER_URL` every app of the cluster uses. */
  readonly url: string;
  /** Its server processes: one, or {@link NATS_CLUSTER_SIZE} for `nats-cluster`. */
  readonly nodes: readonly BrokerNode[];
  stop(): Promise<void>;
  /** What it printed, for error messages. */
  output(): string;
}

interface BrokerServer extends BrokerNode {
  stop(): Promise<void>;
}

function asNode(server: BrokerNode): BrokerNode {
  return { url: server.url, kill: () => server.kill(), restart: () => server.restart(), output: () => server.output() };
}

/** One redis-server with AOF fsynced on every write (an acknowledged publish survives kill -9), or one nats-server. */
function single(kind: BrokerKind, server: BrokerServer): ClusterBroker {
  return {
    kind,
    url: server.url,
    nodes: [asNode(server)],
    kill: () => server.kill(),
    restart: () => server.restart(),
    stop: () => server.stop(),
    output: () => server.output(),
  };
}

/**
 * Starts the broker with its data in `dir` (AOF or JetStream store). `nats-cluster` keeps each
 * node's store in a temp dir of testkit's and asks for 3 replicas through BROKER_URL.
 */
export async function startClusterBroker(kind: BrokerKind, dir: string, redisFsync: 'always' | 'everysec' = 'always'): Promise<ClusterBroker> {
  mkdirSync(dir, { recursive: true });
  if (kind === 'redis') return single(kind, await startRedis({ appendonly: true, appendfsync: redisFsync, dir }));
  if (kind === 'nats') return single(kind, await startNats({ dir }));
  const cluster = await startNatsCluster(NATS_CLUSTER_SIZE);
  const all = async (action: (node: BrokerNode) => Promise<void>): Promise<void> => void (await Promise.all(cluster.nodes.map(action)));
  return {
    kind,
    url: `${cluster.url}?replicas=${NATS_CLUSTER_SIZE}`,
    nodes: cluster.nodes.map(asNode),
    kill: () => all((node) => node.kill()),
    restart: () => all((node) => node.restart()),
    stop: () => cluster.stop(),
    output: () => cluster.nodes.map((node) => node.output()).join('\n'),
  };
}
