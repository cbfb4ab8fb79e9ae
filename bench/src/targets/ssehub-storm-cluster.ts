import { startCluster, type Cluster, type ClusterGateway } from '@ssehub/cluster';
import { GATEWAY_V8_FLAGS } from '@ssehub/gateway';
import { pin } from '../ipc.js';
import type { StreamTarget } from '../loadgen/loadgen-pool.js';
import { findPid, processTree } from '../measure/proc-stat.js';
import { startPublisher, type Publisher } from './publisher-child.js';

/** Options of {@link startStormCluster}. */
export interface StormClusterOptions {
  readonly broker: 'redis' | 'nats';
  readonly gateways: number;
  /** nginx worker processes (each holds two fds per stream; the limit here is 20,000 per process). */
  readonly nginxWorkers: number;
  /** Extra gateway environment: what a variant (admission on / off) changes. */
  readonly gatewayEnv: Readonly<Record<string, string>>;
  /** CPUs of the whole server side (gateways, nginx, broker). */
  readonly serverCpus: string;
  readonly publisherCpus: string;
}

/** Gateways behind nginx over a broker (tools/cluster), and a publisher calling `broker.publish`. */
export interface StormCluster {
  /** nginx, where every stream connects and reconnects. */
  readonly entry: Omit<StreamTarget, 'pathTemplate'>;
  readonly gateways: readonly ClusterGateway[];
  readonly publisher: Publisher;
  /** Gateway process ids by node id (`gateway-1`, ...). */
  gatewayPids(nodeId: string): number[];
  nginxPids(): number[];
  stop(): Promise<void>;
}

/** Key prefix of the gateways and the publisher. @default "bench" */
const PREFIX = 'bench';

/**
 * The cluster the fault tests use, set up for a crowd: every topic readable without a token, no
 * per-IP or per-user connection caps, the gateways started as the Dockerfile starts them
 * (`--max-semi-space-size`, through NODE_OPTIONS as tools/cluster runs `node <entry>`).
 */
export async function startStormCluster(options: StormClusterOptions): Promise<StormCluster> {
  const cluster: Cluster = await startCluster({
    broker: options.broker,
    gateways: options.gateways,
    nginxWorkers: options.nginxWorkers,
    // An fsync per publish takes ~4 ms on this disk and would queue publishes behind it; the kill is of a gateway, not the broker.
    redisFsync: 'everysec',
    env: {
      PUBLIC_TOPICS: '**',
      MAX_CONNECTIONS_PER_IP: '0',
      MAX_CONNECTIONS_PER_USER: '0',
      BROKER_PREFIX: PREFIX,
      LOG_LEVEL: 'warn',
      NODE_OPTIONS: GATEWAY_V8_FLAGS.join(' '),
      ...options.gatewayEnv,
    },
  });
  const nginxPids = (): number[] => processTree(cluster.nginx.process.child.pid!);
  const gatewayPids = (nodeId: string): number[] => {
    const gateway = cluster.gateways.find((candidate) => candidate.nodeId === nodeId);
    return gateway ? processTree(gateway.process.child.pid!) : [];
  };
  for (const gateway of cluster.gateways) for (const pid of gatewayPids(gateway.nodeId)) pin(pid, options.serverCpus);
  for (const pid of nginxPids()) pin(pid, options.serverCpus);
  const brokerPort = new URL(cluster.broker.url).port;
  // redis-server rewrites its command line to "redis-server 127.0.0.1:<port>"; nats-server keeps "-p <port>".
  const brokerPid = findPid(
    (line) => /redis-server|nats-server/.test(line) && (line.includes(`:${brokerPort}`) || line.includes(` -p ${brokerPort} `)),
  );
  if (brokerPid !== undefined) pin(brokerPid, options.serverCpus);
  let publisher: Publisher;
  try {
    publisher = await startPublisher({ cpus: options.publisherCpus, mode: 'broker', url: cluster.broker.url, prefix: PREFIX });
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  const { hostname, port } = new URL(cluster.url);
  return {
    entry: { host: hostname, port: Number(port) },
    gateways: cluster.gateways,
    publisher,
    gatewayPids,
    nginxPids,
    async stop() {
      await publisher.stop();
      await cluster.stop();
    },
  };
}
