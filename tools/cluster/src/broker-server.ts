import { mkdirSync } from 'node:fs';
import { startNats, startNatsCluster, startRedis, startRedisCluster } from '@ssehub/testkit';

/**
 * The broker kinds a cluster can run; `nats-cluster` is 3 nats-servers with a stream of 3 replicas,
 * `redis-cluster` a Redis Cluster of 3 masters with a replica each.
 */
export const BROKER_KINDS = ['redis', 'nats', 'nats-cluster', 'redis-cluster'] as const;

/** `redis`, `nats`, `nats-cluster` or `redis-cluster`. */
export type BrokerKind = (typeof BROKER_KINDS)[number];

/** Nodes of a replicated NATS JetStream cluster. @default 3 */
export const NATS_CLUSTER_SIZE = 3;

/** Masters of a Redis Cluster, each with {@link REDIS_CLUSTER_REPLICAS} replica(s). @default 3 */
export const REDIS_CLUSTER_MASTERS = 3;

/** Replicas per master of a Redis Cluster. @default 1 */
export const REDIS_CLUSTER_REPLICAS = 1;

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
  /** Its server processes: one, {@link NATS_CLUSTER_SIZE} for `nats-cluster`, 6 for `redis-cluster` (masters first). */
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

/** Several server processes as one broker at `url`: kill and restart act on every node at once. */
function multiNode(kind: BrokerKind, url: string, nodes: readonly BrokerServer[], stop: () => Promise<void>): ClusterBroker {
  const all = async (action: (node: BrokerNode) => Promise<void>): Promise<void> => void (await Promise.all(nodes.map(action)));
  return {
    kind,
    url,
    nodes: nodes.map(asNode),
    kill: () => all((node) => node.kill()),
    restart: () => all((node) => node.restart()),
    stop,
    output: () => nodes.map((node) => node.output()).join('\n'),
  };
}

/** Options of {@link startClusterBroker}. */
export interface ClusterBrokerOptions {
  /** Redis AOF fsync of the single `redis` kind. @default "always" */
  readonly redisFsync?: 'always' | 'everysec';
  /** Logs the topics are spread over: `?partitions=N` on the BROKER_URL it hands out. @default 1 */
  readonly partitions?: number;
}

/**
 * Starts the broker with its data in `dir` (AOF or JetStream store). `nats-cluster` keeps each
 * node's store in a temp dir of testkit's and asks for 3 replicas through BROKER_URL; `redis-cluster`
 * runs its nodes in temp dirs of testkit's without AOF (a node killed comes back empty: its replica
 * holds the data).
 */
export async function startClusterBroker(kind: BrokerKind, dir: string, options: ClusterBrokerOptions = {}): Promise<ClusterBroker> {
  const broker = await startBrokerServers(kind, dir, options.redisFsync ?? 'always');
  return { ...broker, url: withPartitions(broker.url, options.partitions ?? 1) };
}

async function startBrokerServers(kind: BrokerKind, dir: string, redisFsync: 'always' | 'everysec'): Promise<ClusterBroker> {
  mkdirSync(dir, { recursive: true });
  if (kind === 'redis') return single(kind, await startRedis({ appendonly: true, appendfsync: redisFsync, dir }));
  if (kind === 'nats') return single(kind, await startNats({ dir }));
  if (kind === 'redis-cluster') {
    const cluster = await startRedisCluster({ masters: REDIS_CLUSTER_MASTERS, replicasPerMaster: REDIS_CLUSTER_REPLICAS });
    return multiNode(kind, cluster.url, cluster.nodes, () => cluster.stop());
  }
  const cluster = await startNatsCluster(NATS_CLUSTER_SIZE);
  return multiNode(kind, `${cluster.url}?replicas=${NATS_CLUSTER_SIZE}`, cluster.nodes, () => cluster.stop());
}

/** `url` with `?partitions=N` added (the apps then spread topics over N logs); unchanged for 1. */
export function withPartitions(url: string, partitions: number): string {
  if (partitions === 1) return url;
  return `${url}${url.includes('?') ? '&' : '?'}partitions=${partitions}`;
}
