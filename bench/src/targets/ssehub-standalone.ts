import { fileURLToPath } from 'node:url';
import { freePort, startProcess, waitForHttp } from '@ssehub/testkit';
import { pin } from '../ipc.js';
import { processTree } from '../measure/proc-stat.js';
import { startPublisher } from './publisher-child.js';
import type { Target } from './target.js';

/** The one-process ssehub as deployed: `apps/standalone/dist/main.js`. */
export const STANDALONE_MAIN = fileURLToPath(new URL('../../apps/standalone/dist/main.js', import.meta.url));

/** Options of {@link startSsehubStandalone}. */
export interface StandaloneOptions {
  readonly cpus: string;
  readonly publisherCpus: string;
}

/**
 * `node apps/standalone/dist/main.js` (gateway + ingest on one port, memory broker), as the
 * Dockerfile starts it, published to over HTTP (`POST /v1/publish`, anonymous, no rate limit).
 */
export async function startSsehubStandalone(options: StandaloneOptions): Promise<Target> {
  const port = await freePort();
  const env = {
    ...process.env,
    PORT: String(port),
    BROKER_URL: 'memory://',
    NODE_ID: 'bench-standalone',
    PUBLIC_TOPICS: '**',
    ANONYMOUS_PUBLISH_TOPICS: '**',
    PUBLISH_RATE_PER_S: '0',
    MAX_CONNECTIONS_PER_IP: '0',
    MAX_CONNECTIONS_PER_USER: '0',
    HISTORY_MAX_PER_TOPIC: '100',
    LOG_LEVEL: 'warn',
  };
  const server = startProcess(process.execPath, [STANDALONE_MAIN], { env });
  try {
    await waitForHttp(`http://127.0.0.1:${port}/readyz`, 30_000);
  } catch (error) {
    await server.kill();
    throw new Error(`standalone did not become ready:\n${server.output()}`, { cause: error });
  }
  for (const pid of processTree(server.child.pid!)) pin(pid, options.cpus);
  const publisher = await startPublisher({ cpus: options.publisherCpus, mode: 'http', url: `http://127.0.0.1:${port}` });
  return {
    name: 'ssehub standalone',
    streams: (topicTemplate) => [{ host: '127.0.0.1', port, pathTemplate: `/v1/events?topic=${topicTemplate}` }],
    publish: (plan) => publisher.publish(plan),
    serverPids: () => [server.child.pid!],
    brokerPids: () => [],
    publisherPids: () => [publisher.pid],
    settle: async () => {},
    async stop() {
      await publisher.stop();
      await server.stop('SIGTERM', 15_000);
    },
  };
}
