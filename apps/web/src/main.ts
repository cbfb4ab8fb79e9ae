// The `web` service of a cluster: serves the chat page; nginx routes /v1/* to gateways and ingest.
import type { Server } from 'node:http';
import { createLogger, listenOrExit, loadConfigOrExit, stopOnSignals } from '@ssehub/service-kit';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { loadWebConfig } from './config.js';
import { WEB_ROOT } from './index.js';
import { createWebServer } from './web-server.js';

/** Seconds open connections may take to finish after SIGTERM. @default 5 */
const DRAIN_DEADLINE_S = 5;

const config = loadConfigOrExit('web', () => loadWebConfig());
const logger = createLogger({ service: 'web', node: config.NODE_ID, level: config.LOG_LEVEL });
const registry = new Registry();
collectDefaultMetrics({ register: registry });
const server = createServerOrExit();

listenOrExit(server, config, 'web', (url) => {
  logger.info({ host: config.HOST, port: config.PORT, url }, `web listening on ${url}`);
});
stopOnSignals({ server, logger, deadlineS: DRAIN_DEADLINE_S, release: () => Promise.resolve() });

/** The server, or one line and exit 1 when the page was never built. */
function createServerOrExit(): Server {
  try {
    return createWebServer({ root: WEB_ROOT, node: config.NODE_ID, logger, registry });
  } catch (error) {
    process.stderr.write(`ssehub web: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
