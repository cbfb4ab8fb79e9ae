import cluster from 'node:cluster';
import {
  connectBroker,
  createHttpServer,
  createLimitHits,
  createLogger,
  createOpsRoutes,
  httpServerLimits,
  listenOrExit,
  loadConfigOrExit,
  logAccessWarnings,
  sendError,
  stopOnSignals,
} from '@ssehub/service-kit';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { createJoseAccessPolicy } from './access-policy.js';
import { createGatewayApp } from './app.js';
import { clusterMetricsSource, superviseWorkers } from './cluster.js';
import { loadGatewayConfig } from './config.js';

const config = loadConfigOrExit('gateway', () => loadGatewayConfig());
const logger = createLogger({ service: 'gateway', node: config.NODE_ID, level: config.LOG_LEVEL });
// WORKERS > 1: this process only supervises; each worker runs serve() with its own broker connection.
if (cluster.isPrimary && config.WORKERS > 1) {
  superviseWorkers({ workers: config.WORKERS, nodeId: config.NODE_ID, logger, drainTimeoutS: config.DRAIN_TIMEOUT_S });
} else {
  serve();
}

/** One gateway process: broker connection, app, HTTP server, drain on SIGTERM. */
function serve(): void {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const broker = connectBroker(config, logger);
  const access = createJoseAccessPolicy(config);
  logAccessWarnings(logger, config, { publishes: false });
  const app = createGatewayApp({ broker, config, logger, registry, access });
  const ops = createOpsRoutes({ service: 'gateway', node: config.NODE_ID, registry: clusterMetricsSource(registry), ready: app.ready });
  const server = createHttpServer(
    (req, res) => {
      if (ops(req, res) || app.handle(req, res)) return;
      sendError(res, 'not_found', `no route for ${req.method} ${(req.url ?? '').split('?', 1)[0]}`);
    },
    httpServerLimits(config, createLimitHits(registry)),
  );

  listenOrExit(server, config, 'gateway', (url) => {
    logger.info({ host: config.HOST, port: config.PORT, broker: broker.kind, url }, `gateway listening on ${url}`);
  });
  stopOnSignals({
    server,
    logger,
    deadlineS: config.DRAIN_TIMEOUT_S,
    drain: () => app.drain(),
    release: async () => {
      await app.close();
      await broker.close();
    },
  });
}
