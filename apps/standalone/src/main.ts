import { connectBroker, createLogger, listenOrExit, loadConfigOrExit, logAccessWarnings, stopOnSignals } from '@ssehub/service-kit';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { createStandaloneServer } from './app.js';
import { loadStandaloneConfig } from './config.js';

const config = loadConfigOrExit('standalone', () => loadStandaloneConfig());
const { NODE_ID, LOG_LEVEL } = config.gateway;
const logger = createLogger({ service: 'standalone', node: NODE_ID, level: LOG_LEVEL });
const registry = new Registry();
collectDefaultMetrics({ register: registry });
logAccessWarnings(logger, config.ingest, { publishes: true });
const broker = connectBroker(config.gateway, logger);
const { server, gateway } = createStandaloneServer({ broker, config, logger, registry });

listenOrExit(server, config.gateway, 'standalone', (url) => {
  // The one line a person starting the demo looks for: still JSON, with the URL in its message.
  const { HOST, PORT } = config.gateway;
  logger.info({ host: HOST, port: PORT, broker: broker.kind, url }, `ssehub chat is running: ${url} (broker: ${broker.kind}; Ctrl-C stops it)`);
});
stopOnSignals({
  server,
  logger,
  deadlineS: config.gateway.DRAIN_TIMEOUT_S,
  drain: () => gateway.drain(),
  release: async () => {
    await gateway.close();
    await broker.close();
  },
});
