import type { Broker } from '@ssehub/broker';
import { clientIp, createLimitHits, createRequestEdge, requestEdgeMiddleware, type AccessPolicy, type LimitHits, type Logger } from '@ssehub/service-kit';
import express, { type Express } from 'express';
import type { Registry } from 'prom-client';
import { createPublishGate, type ClientAddress, type PublishGate } from './access.js';
import type { IngestConfig } from './config.js';
import { createErrorHandler, notFound } from './error-handler.js';
import { createIngestMetrics } from './metrics.js';
import { createPublisher, type Publisher } from './publisher.js';
import { createHistoryRoutes } from './routes/history.js';
import { createPublishRoutes } from './routes/publish.js';
import { createRoomRoutes } from './routes/rooms.js';
import type { RouteDeps } from './routes/route-deps.js';

/** Options of {@link createIngestApp}. */
export interface IngestAppOptions {
  readonly broker: Broker;
  /** The settings the routes read; a full {@link IngestConfig} will do. */
  readonly config: Pick<
    IngestConfig,
    | 'MAX_BODY_BYTES'
    | 'MAX_BATCH_EVENTS'
    | 'PUBLISH_RATE_PER_S'
    | 'PUBLISH_BURST'
    | 'TRUST_PROXY_HOPS'
    | 'IPV6_PREFIX_BITS'
    | 'CORS_ORIGINS'
    | 'HISTORY_MAX_RESPONSE_BYTES'
    | 'MAX_HISTORY_READS_PER_IP'
  >;
  readonly logger: Logger;
  /** Where the ingest metrics are registered; one app per registry. */
  readonly registry: Registry;
  /** Who may read and publish which topics (service-kit's `createAccessPolicy`); shared with the gateway in standalone. */
  readonly access: AccessPolicy;
}

/** Builds the express app of the write API (`/v1/publish`, room messages, history); it does not listen. */
export function createIngestApp(options: IngestAppOptions): Express {
  const { access, config } = options;
  const metrics = createIngestMetrics(options.registry);
  const limitHits = createLimitHits(options.registry);
  const clientAddress: ClientAddress = (req) => clientIp(req, config.TRUST_PROXY_HOPS, config.IPV6_PREFIX_BITS);
  const gate = createPublishGate({
    access,
    limitHits,
    ratePerS: config.PUBLISH_RATE_PER_S,
    burst: config.PUBLISH_BURST,
    clientAddress,
  });
  const deps: RouteDeps = {
    broker: options.broker,
    publish: createPublisher(options.broker, metrics),
    maxBodyBytes: config.MAX_BODY_BYTES,
    maxBatchEvents: config.MAX_BATCH_EVENTS,
    access,
    gate,
    limitHits,
    clientAddress,
    history: { maxResponseBytes: config.HISTORY_MAX_RESPONSE_BYTES, readsPerIp: config.MAX_HISTORY_READS_PER_IP },
  };
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  // The same edge as the gateway's routes: request id and access line, then CORS.
  app.use(requestEdgeMiddleware(createRequestEdge({ logger: options.logger, corsOrigins: config.CORS_ORIGINS })));
  app.use(createPublishRoutes(deps), createRoomRoutes(deps), createHistoryRoutes(deps));
  app.use(notFound);
  app.use(createErrorHandler({ logger: options.logger, metrics, limitHits }));
  return app;
}
