import { startServer, withFreshPorts, type NatsServer } from './nats-server.js';
import { freePort } from './free-port.js';

/** Options of {@link startNatsCluster}. */
export interface StartNatsClusterOptions {
  /** Servers in the cluster. @default 3 */
  readonly nodes?: number;
}

/** A JetStream cluster a test started from Debian's nats-server, each node with its own store dir. */
export interface NatsCluster {
  /** `nats://127.0.0.1:<p1>,127.0.0.1:<p2>,...`: every node, the way BROKER_URL lists them. */
  readonly url: string;
  /** Node `i` runs as server name `n<i>`. */
  readonly nodes: readonly NatsServer[];
  /** `http://127.0.0.1:<port>` of each node's monitoring endpoints (`/connz`, `/jsz`...), by node index. */
  readonly monitorUrls: readonly string[];
  /** kill -9 of node `i`; its store dir stays for {@link NatsCluster.restart}. */
  kill(i: number): Promise<void>;
  /** Starts node `i` again on its ports and store dir; resolves once it reports healthy (its JetStream caught up). */
  restart(i: number): Promise<void>;
  /**
   * The index of the node that leads `stream` now (`cluster.leader` of its stream info, as a live node's
   * `/jsz` reports it), or undefined while no live node names a leader.
   */
  streamLeader(stream: string): Promise<number | undefined>;
  stop(): Promise<void>;
}

/** What `/jsz?streams=true` answers, the parts read here. */
interface Jsz {
  readonly account_details?: readonly { readonly stream_detail?: readonly { readonly name: string; readonly cluster?: { readonly leader?: string } }[] }[];
}

/**
 * Starts a JetStream cluster of `nodes` servers (3 by default; a bare number is the old form) on free
 * loopback ports, client, route and monitor port each; resolves once every node reports healthy.
 */
export function startNatsCluster(options: StartNatsClusterOptions | number = {}): Promise<NatsCluster> {
  const size = typeof options === 'number' ? options : (options.nodes ?? 3);
  return withFreshPorts(() => startClusterOnce(size));
}

async function startClusterOnce(size: number): Promise<NatsCluster> {
  const ports = await Promise.all(Array.from({ length: size }, () => freePort()));
  const routePorts = await Promise.all(Array.from({ length: size }, () => freePort()));
  const monitorPorts = await Promise.all(Array.from({ length: size }, () => freePort()));
  const routes = routePorts.map((port) => `nats://127.0.0.1:${port}`).join(',');
  // Started together: a node waits for the others' routes before its JetStream reports healthy.
  const starting = ports.map((port, i) => {
    const cluster = ['--cluster_name', 'ssehub', '--cluster', `nats://127.0.0.1:${routePorts[i]}`, '--routes', routes];
    return startServer({ port, args: ['-n', `n${i}`, '-m', String(monitorPorts[i]), ...cluster] }, `http://127.0.0.1:${monitorPorts[i]}/healthz`);
  });
  const started = await Promise.allSettled(starting);
  const nodes = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failed = started.find((result) => result.status === 'rejected');
  if (failed) {
    await Promise.all(nodes.map((node) => node.stop()));
    throw failed.reason;
  }
  const node = (i: number): NatsServer => {
    const found = nodes[i];
    if (!found) throw new Error(`nats cluster: no node ${i} (it has ${nodes.length})`);
    return found;
  };
  const monitorUrls = monitorPorts.map((port) => `http://127.0.0.1:${port}`);
  /** The leader that node `i` names for `stream`, or undefined when it is down or names none. */
  async function leaderSeenBy(i: number, stream: string): Promise<number | undefined> {
    const response = await fetch(`${monitorUrls[i]}/jsz?streams=true`).catch(() => undefined);
    if (!response?.ok) return undefined;
    const jsz = (await response.json()) as Jsz;
    const detail = jsz.account_details?.flatMap((account) => account.stream_detail ?? []).find((candidate) => candidate.name === stream);
    const name = detail?.cluster?.leader;
    return name === undefined || !/^n\d+$/.test(name) ? undefined : Number(name.slice(1));
  }
  return {
    url: `nats://${ports.map((port) => `127.0.0.1:${port}`).join(',')}`,
    nodes,
    monitorUrls,
    kill: (i) => node(i).kill(),
    restart: (i) => node(i).restart(),
    async streamLeader(stream) {
      for (let i = 0; i < nodes.length; i++) {
        const leader = await leaderSeenBy(i, stream);
        if (leader !== undefined) return leader;
      }
      return undefined;
    },
    stop: async () => void (await Promise.all(nodes.map((server) => server.stop()))),
  };
}
