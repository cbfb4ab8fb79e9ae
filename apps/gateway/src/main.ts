import { connectBroker, createHttpServer, createLogger, createOpsRoutes, listenOrExit, loadConfigOrExit, sendError, stopOnSignals } from '@ssehub/service-kit';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { createGatewayApp } from './app.js';
import { loadGatewayConfig } from './config.js';

const config = loadConfigOrExit('gateway', () => loadGatewayConfig());
const logger = createLogger({ service: 'gateway', node: config.NODE_ID, level: config.LOG_LEVEL });
const registry = new Registry();
collectDefaultMetrics({ register: registry });
const broker = connectBroker(config, logger);
const app = createGatewayApp({ broker, config, logger, registry });
const ops = createOpsRoutes({ service: 'gateway', node: config.NODE_ID, registry, ready: app.ready });
const server = createHttpServer((req, res) => {
  if (ops(req, res) || app.handle(req, res)) return;
  sendError(res, 'not_found', `no route for ${req.method} ${(req.url ?? '').split('?', 1)[0]}`);
});

listenOrExit(server, config.PORT, 'gateway', () => {
  logger.info({ port: config.PORT, broker: broker.kind }, `gateway listening on http://localhost:${config.PORT}`);
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
