import { startNats, startNatsCluster, startRedis, startRedisCluster } from '@ssehub/testkit';
import { pin } from '../ipc.js';
import { countNatsStreams, countRedisLogs } from '../measure/log-count.js';
import { findPid } from '../measure/proc-stat.js';

/** The broker deployments S7 measures: one server of each engine, and each engine's own cluster. */
export const LOG_DEPLOYMENTS = ['redis', 'nats', 'redis-cluster', 'nats-cluster'] as const;
/** One of {@link LOG_DEPLOYMENTS}. */
export type LogDeployment = (typeof LOG_DEPLOYMENTS)[number];

/** A broker process that owns partitions (a Redis master, a NATS server): its CPU is measured apart. */
export interface BrokerShard {
  readonly name: string;
  readonly pid: number;
}

/** Broker servers started for S7, with the processes whose CPU is the broker's. */
export interface BrokerDeployment {
  readonly kind: 'redis' | 'nats';
  /** e.g. `Redis Cluster, 3 masters + 3 replicas`. */
  readonly name: string;
  /** The `BROKER_URL` that spreads the topics over `partitions` logs. */
  url(partitions: number): string;
  /** The processes that own partitions. */
  readonly shards: readonly BrokerShard[];
  /** Every broker process (replicas included): their CPU together is the broker's. */
  readonly pids: readonly number[];
  /** The ordered logs (hash-tagged key sets, streams) a prefix made: P when `?partitions` took effect. */
  countLogs(prefix: string): Promise<number>;
  stop(): Promise<void>;
}

// P = 1 is today's URL as it is: the single log ssehub has always had.
const withPartitions = (url: string, partitions: number): string =>
  partitions === 1 ? url : `${url}${url.includes('?') ? '&' : '?'}partitions=${partitions}`;

// redis-server rewrites its command line to "redis-server 127.0.0.1:<port>"; nats-server keeps "-p <port>".
const redisPid = (port: number): number | undefined => findPid((line) => line.includes('redis-server') && line.includes(`:${port}`));
const natsPid = (port: number): number | undefined => findPid((line) => line.includes(` -p ${port} `));

function shardsOf(ports: readonly number[], pidOf: (port: number) => number | undefined, label: string): BrokerShard[] {
  return ports.map((port) => {
    const pid = pidOf(port);
    if (pid === undefined) throw new Error(`S7: no process found for the ${label} on port ${port}`);
    return { name: `${label} :${port}`, pid };
  });
}

/** Starts one of S7's deployments, its processes pinned to `cpus` (all on one core here: CPU per publish is the figure that holds). */
export async function startBrokerDeployment(which: LogDeployment, cpus: string): Promise<BrokerDeployment> {
  const deployment = await start(which);
  for (const pid of deployment.pids) pin(pid, cpus);
  return deployment;
}

async function start(which: LogDeployment): Promise<BrokerDeployment> {
  switch (which) {
    case 'redis': {
      const server = await startRedis();
      const shards = shardsOf([server.port], redisPid, 'redis-server');
      const countLogs = (prefix: string): Promise<number> => countRedisLogs([server.port], prefix);
      return { kind: 'redis', name: 'Redis, 1 server', url: (p) => withPartitions(server.url, p), shards, pids: shards.map((s) => s.pid), countLogs, stop: () => server.stop() };
    }
    case 'nats': {
      const server = await startNats();
      const shards = shardsOf([server.port], natsPid, 'nats-server');
      const countLogs = (prefix: string): Promise<number> => countNatsStreams([server.url], prefix);
      return { kind: 'nats', name: 'NATS, 1 server', url: (p) => withPartitions(server.url, p), shards, pids: shards.map((s) => s.pid), countLogs, stop: () => server.stop() };
    }
    case 'redis-cluster': {
      const cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1 });
      // `nodes` lists the masters first, as `redis-cli --cluster create` made them.
      const shards = shardsOf(cluster.nodes.slice(0, 3).map((node) => node.port), redisPid, 'master');
      const replicas = shardsOf(cluster.nodes.slice(3).map((node) => node.port), redisPid, 'replica');
      return {
        kind: 'redis',
        name: 'Redis Cluster, 3 masters + 3 replicas',
        url: (p) => withPartitions(cluster.url, p),
        shards,
        pids: [...shards, ...replicas].map((s) => s.pid),
        // Each master answers SCAN for its own slots only; S7 kills nothing, so the masters stay the first three.
        countLogs: (prefix) => countRedisLogs(cluster.nodes.slice(0, 3).map((node) => node.port), prefix),
        stop: () => cluster.stop(),
      };
    }
    case 'nats-cluster': {
      const cluster = await startNatsCluster(3);
      const shards = shardsOf(cluster.nodes.map((node) => node.port), natsPid, 'nats-server');
      const countLogs = (prefix: string): Promise<number> => countNatsStreams(cluster.nodes.map((node) => node.url), prefix);
      // R3, as deployed: every stream (partition) on all three servers, its leader on one of them.
      const url = `${cluster.url}?replicas=3`;
      return { kind: 'nats', name: 'NATS cluster, 3 servers, R3', url: (p) => withPartitions(url, p), shards, pids: shards.map((s) => s.pid), countLogs, stop: () => cluster.stop() };
    }
  }
}
