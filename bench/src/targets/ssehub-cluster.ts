import { fileURLToPath } from 'node:url';
import { freePort, startNats, startProcess, startRedis, waitForHttp, type RunningProcess } from '@ssehub/testkit';
import { GATEWAY_V8_FLAGS } from '@ssehub/gateway';
import { pin } from '../ipc.js';
import { findPid, processTree } from '../measure/proc-stat.js';
import { startPublisher } from './publisher-child.js';
import type { Target } from './target.js';

/** The gateway as deployed: `apps/gateway/dist/main.js`. */
export const GATEWAY_MAIN = fileURLToPath(new URL('../../apps/gateway/dist/main.js', import.meta.url));
/** The ingest as deployed: `apps/ingest/dist/main.js`. */
export const INGEST_MAIN = fileURLToPath(new URL('../../apps/ingest/dist/main.js', import.meta.url));

/** Options of {@link startSsehubCluster}. */
export interface ClusterOptions {
  readonly broker: 'redis' | 'nats';
  /** Gateway nodes (separate processes on separate ports); streams are spread over them. */
  readonly gateways: number;
  /** `WORKERS` of each gateway. @default 1 */
  readonly workers?: number;
  readonly gatewayCpus?: string;
  readonly publisherCpus: string;
  /** Publish over HTTP through an ingest process (on the gateways' CPUs) instead of `broker.publish`. */
  readonly ingest?: boolean;
  /** Publish from a publisher process through `publishRequest` (a trusted backend) instead of `broker.publish`. */
  readonly trusted?: boolean;
  /** CPUs of the broker process; unpinned when absent. */
  readonly brokerCpus?: string;
  /** `JWT_SECRET` of the gateways, and no public topics: every stream needs a token. */
  readonly jwtSecret?: string;
}

async function startIngest(brokerUrl: string, cpus?: string): Promise<{ port: number; process: RunningProcess }> {
  const port = await freePort();
  const env = {
    ...process.env,
    PORT: String(port),
    BROKER_URL: brokerUrl,
    BROKER_PREFIX: 'bench',
    NODE_ID: 'bench-ingest',
    ANONYMOUS_PUBLISH_TOPICS: '**',
    PUBLISH_RATE_PER_S: '0',
    HISTORY_MAX_PER_TOPIC: '100',
    LOG_LEVEL: 'warn',
  };
  // As the Dockerfile starts it: no V8 flags.
  const ingest = startProcess(process.execPath, [INGEST_MAIN], { env });
  try {
    await waitForHttp(`http://127.0.0.1:${port}/readyz`, 30_000);
  } catch (error) {
    await ingest.kill();
    throw new Error(`ingest did not become ready:\n${ingest.output()}`, { cause: error });
  }
  if (cpus !== undefined) pin(ingest.child.pid!, cpus);
  return { port, process: ingest };
}

async function startGateway(brokerUrl: string, index: number, options: ClusterOptions): Promise<{ port: number; process: RunningProcess }> {
  const { workers = 1, gatewayCpus: cpus, jwtSecret } = options;
  const port = await freePort();
  const env = {
    ...process.env,
    PORT: String(port),
    BROKER_URL: brokerUrl,
    BROKER_PREFIX: 'bench',
    NODE_ID: `bench-gw${index}`,
    WORKERS: String(workers),
    ...(jwtSecret === undefined ? { PUBLIC_TOPICS: '**' } : { JWT_SECRET: jwtSecret, PUBLIC_TOPICS: '' }),
    MAX_CONNECTIONS_PER_IP: '0',
    MAX_CONNECTIONS_PER_USER: '0',
    HISTORY_MAX_PER_TOPIC: '100',
    LOG_LEVEL: 'warn',
  };
  // As the Dockerfile starts it: its workers get the same flags from the cluster primary.
  const gateway = startProcess(process.execPath, [...GATEWAY_V8_FLAGS, GATEWAY_MAIN], { env });
  try {
    await waitForHttp(`http://127.0.0.1:${port}/readyz`, 30_000);
  } catch (error) {
    await gateway.kill();
    throw new Error(`gateway ${index} did not become ready:\n${gateway.output()}`, { cause: error });
  }
  if (cpus !== undefined) for (const pid of processTree(gateway.child.pid!)) pin(pid, cpus);
  return { port, process: gateway };
}

/**
 * Real gateway processes (`node apps/gateway/dist/main.js`) over a private redis-server or
 * nats-server started the way the tests start theirs, with a publisher process calling
 * `broker.publish` over the same broker (S2 past one process, S4 cross-node), or POSTing to an
 * ingest process (`apps/ingest/dist/main.js`) over the same broker (S5).
 */
export async function startSsehubCluster(options: ClusterOptions): Promise<Target> {
  const broker = options.broker === 'redis' ? await startRedis() : await startNats();
  const gateways: { port: number; process: RunningProcess }[] = [];
  let ingest: { port: number; process: RunningProcess } | undefined;
  try {
    for (let i = 0; i < options.gateways; i++) gateways.push(await startGateway(broker.url, i, options));
    if (options.ingest) ingest = await startIngest(broker.url, options.gatewayCpus);
  } catch (error) {
    await Promise.all(gateways.map((gateway) => gateway.process.stop()));
    await broker.stop();
    throw error;
  }
  const publisher = ingest
    ? await startPublisher({ cpus: options.publisherCpus, mode: 'http', url: `http://127.0.0.1:${ingest.port}` })
    : await startPublisher({ cpus: options.publisherCpus, mode: options.trusted ? 'trusted' : 'broker', url: broker.url, prefix: 'bench' });
  // redis-server rewrites its command line to "redis-server 127.0.0.1:<port>"; nats-server keeps "-p <port>".
  const brokerPid = findPid((line) =>
    options.broker === 'redis' ? line.includes('redis-server') && line.includes(`:${broker.port}`) : line.includes(` -p ${broker.port} `),
  );
  if (brokerPid !== undefined && options.brokerCpus !== undefined) pin(brokerPid, options.brokerCpus);
  const servers = ingest ? [...gateways, ingest] : gateways;
  return {
    name: (ingest ? `ssehub gateway+ingest+${options.broker}` : options.trusted ? `ssehub gateway+${options.broker}, trusted backend` : `ssehub+${options.broker}`) + (options.jwtSecret ? ' (JWT)' : ''),
    streams: (topicTemplate) =>
      gateways.map((gateway) => ({ host: '127.0.0.1', port: gateway.port, pathTemplate: `/v1/events?topic=${topicTemplate}` })),
    publish: (plan) => publisher.publish(plan),
    serverPids: () => servers.map((server) => server.process.child.pid!),
    brokerPids: () => (brokerPid === undefined ? [] : [brokerPid]),
    publisherPids: () => [publisher.pid],
    settle: async () => {},
    async stop() {
      await publisher.stop();
      await Promise.all(servers.map((server) => server.process.stop('SIGTERM', 15_000)));
      await broker.stop();
    },
  };
}
