import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '@ssehub/testkit';
import { startClusterBroker, type BrokerKind, type ClusterBroker } from './broker-server.js';
import { startNginx, type NginxServer } from './nginx-server.js';
import { startNodeService, type NodeService, type UnexpectedExitHandler } from './node-service.js';
import { APP_ENTRIES, clusterDir, requireBuiltApps } from './paths.js';

/** Options of {@link startCluster}. */
export interface ClusterOptions {
  /** The broker every app shares. @default "redis" */
  readonly broker?: BrokerKind;
  /** How many gateway processes. @default 2 */
  readonly gateways?: number;
  /** The load balancer's port; a free one by default. */
  readonly port?: number;
  /** Names `.cluster/<name>/` (config, logs, broker data); a unique one by default. */
  readonly name?: string;
  /** Keep `.cluster/<name>/` after {@link Cluster.stop} (logs, broker data for the next start). @default false */
  readonly keep?: boolean;
  /** Extra environment for the gateways and ingest (`RETRY_MS`, `HEARTBEAT_S`, `LOG_LEVEL`, ...). */
  readonly env?: Readonly<Record<string, string>>;
  /** Partitions of the log: `?partitions=N` on the BROKER_URL every app gets (1 is the single log). @default 1 */
  readonly partitions?: number;
  /** Redis AOF fsync: `always` (an acknowledged publish survives kill -9), or `everysec` (Redis's default; the bench). @default "always" */
  readonly redisFsync?: 'always' | 'everysec';
  /** nginx worker processes: one holds 8,192 connections, two per stream. @default 1 */
  readonly nginxWorkers?: number;
  /** Called when an app exits without having been asked to. */
  readonly onUnexpectedExit?: UnexpectedExitHandler;
}

/** One gateway of a cluster; its `NODE_ID` is its name (`gateway-1`, ...). */
export interface ClusterGateway extends NodeService {
  readonly nodeId: string;
}

/** A running cluster: broker, gateways, ingest, web and nginx on loopback. */
export interface Cluster {
  readonly name: string;
  readonly dir: string;
  /** nginx: what clients use. */
  readonly url: string;
  readonly gatewayUrls: readonly string[];
  readonly ingestUrl: string;
  readonly webUrl: string;
  readonly gateways: readonly ClusterGateway[];
  readonly ingest: NodeService;
  readonly web: NodeService;
  readonly broker: ClusterBroker;
  readonly nginx: NginxServer;
  /** Stops nginx, then every app (SIGTERM), then the broker; removes the directory unless `keep`. */
  stop(): Promise<void>;
}

/**
 * What gateways and ingest run with unless `env` says otherwise (as docker-compose.yml does): the
 * chat's rooms are open to read and post without a token, and nginx is the one trusted proxy.
 */
export const CLUSTER_APP_ENV: Readonly<Record<string, string>> = Object.freeze({
  PUBLIC_TOPICS: 'rooms/**',
  ANONYMOUS_PUBLISH_TOPICS: 'rooms/**',
  TRUST_PROXY_HOPS: '1',
});

let clusterCount = 0;

/** What a cluster started so far: stopped in reverse order, or killed outright if this process exits first. */
function createTeardown(dir: string, keep: boolean) {
  const started: { stop: () => Promise<void>; kill: () => void }[] = [];
  // A test run that crashes before stop() must not leave its servers running.
  const killAll = (): void => started.forEach((entry) => entry.kill());
  process.once('exit', killAll);
  return {
    add: (stop: () => Promise<void>, kill: () => void): void => void started.push({ stop, kill }),
    async stopAll(): Promise<void> {
      // Reverse start order: nginx first (clients stop arriving), the broker last.
      for (const entry of started.splice(0).reverse()) await entry.stop();
      process.off('exit', killAll);
      if (!keep) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Starts every process of the topology, resolving once each `/readyz` and nginx's `/healthz` answer 200. */
export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  requireBuiltApps();
  clusterCount += 1;
  const name = options.name ?? `cluster-${process.pid}-${clusterCount}`;
  const dir = clusterDir(name);
  mkdirSync(join(dir, 'logs'), { recursive: true });
  const teardown = createTeardown(dir, options.keep ?? false);
  try {
    const kind = options.broker ?? 'redis';
    const broker = await startClusterBroker(kind, join(dir, kind), { redisFsync: options.redisFsync, partitions: options.partitions });
    teardown.add(() => broker.stop(), () => void broker.kill());
    const { gateways, ingest, web, all } = await startApps(broker.url, join(dir, 'logs'), options);
    teardown.add(
      () => Promise.all(all.map((app) => app.stop())).then(() => undefined),
      () => all.forEach((app) => app.process.child.kill('SIGKILL')),
    );
    const loopback = (service: NodeService): string => `127.0.0.1:${service.port}`;
    const port = options.port ?? (await freePort());
    const nginx = await startNginx({ dir, port, gateways: gateways.map(loopback), ingest: [loopback(ingest)], web: [loopback(web)], workers: options.nginxWorkers });
    // SIGTERM even as a last resort: nginx's master takes its workers down with it, SIGKILL would not.
    teardown.add(() => nginx.stop(), () => nginx.process.child.kill('SIGTERM'));
    const gatewayUrls = gateways.map((gateway) => gateway.url);
    const urls = { url: nginx.url, gatewayUrls, ingestUrl: ingest.url, webUrl: web.url };
    return { name, dir, ...urls, gateways, ingest, web, broker, nginx, stop: teardown.stopAll };
  } catch (error) {
    await teardown.stopAll();
    throw error;
  }
}

interface ClusterApps {
  readonly gateways: ClusterGateway[];
  readonly ingest: NodeService;
  readonly web: NodeService;
  readonly all: NodeService[];
}

/** Starts the gateways, ingest and web side by side; if one fails, the others are stopped again. */
async function startApps(brokerUrl: string, logDir: string, options: ClusterOptions): Promise<ClusterApps> {
  const env = { ...CLUSTER_APP_ENV, BROKER_URL: brokerUrl, ...options.env };
  const start = async (name: string, entry: string, serviceEnv: Record<string, string>): Promise<NodeService> =>
    startNodeService({ name, entry, port: await freePort(), env: serviceEnv, logDir, onUnexpectedExit: options.onUnexpectedExit });
  const gatewayNames = Array.from({ length: options.gateways ?? 2 }, (_, index) => `gateway-${index + 1}`);
  const started = await Promise.allSettled([
    start('ingest', APP_ENTRIES.ingest, { ...env, NODE_ID: 'ingest-1' }),
    start('web', APP_ENTRIES.web, {}),
    ...gatewayNames.map((name) => start(name, APP_ENTRIES.gateway, { ...env, NODE_ID: name })),
  ]);
  const all = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failed = started.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) {
    await Promise.all(all.map((app) => app.stop()));
    throw failed.reason;
  }
  const [ingest, web, ...rest] = all as [NodeService, NodeService, ...NodeService[]];
  const gateways = rest.map((gateway) => Object.assign(gateway, { nodeId: gateway.name }));
  return { gateways, ingest, web, all };
}
