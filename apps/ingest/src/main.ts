import {
  connectBroker,
  createAccessPolicy,
  createHttpServer,
  createLimitHits,
  createLogger,
  createOpsRoutes,
  httpServerLimits,
  listenOrExit,
  loadConfigOrExit,
  logAccessWarnings,
  stopOnSignals,
} from '@ssehub/service-kit';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { createIngestApp } from './app.js';
import { loadIngestConfig } from './config.js';

const SERVICE = 'ingest';

const config = loadConfigOrExit(SERVICE, () => loadIngestConfig());
const logger = createLogger({ service: SERVICE, node: config.NODE_ID, level: config.LOG_LEVEL });
const registry = new Registry();
collectDefaultMetrics({ register: registry });
// Connects in the background: until then publishes answer 503 `unavailable` and /readyz is 503.
const broker = connectBroker(config, logger);
let draining = false;
const ops = createOpsRoutes({
  service: SERVICE,
  node: config.NODE_ID,
  registry,
  ready: () => (draining ? Promise.reject(new Error('draining')) : broker.ping()),
});
const access = createAccessPolicy({ config, jose: { jwtVerify, createRemoteJWKSet } });
logAccessWarnings(logger, config, { publishes: true });
const app = createIngestApp({ broker, config, logger, registry, access });
const server = createHttpServer((req, res) => ops(req, res) || app(req, res), httpServerLimits(config, createLimitHits(registry)));

listenOrExit(server, config, SERVICE, (url) => {
  logger.info({ host: config.HOST, port: config.PORT, broker: broker.kind, url }, `${SERVICE} listening on ${url}`);
});
stopOnSignals({
  server,
  logger,
  deadlineS: config.DRAIN_TIMEOUT_S,
  drain: () => {
    draining = true;
  },
  release: () => broker.close(),
});
