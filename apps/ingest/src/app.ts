import type { Broker } from '@ssehub/broker';
import type { Logger } from '@ssehub/service-kit';
import express, { type Express } from 'express';
import type { Registry } from 'prom-client';
import type { IngestConfig } from './config.js';
import { createErrorHandler, notFound } from './error-handler.js';
import { createIngestMetrics } from './metrics.js';
import { createPublisher, type Publisher } from './publisher.js';
import { createHistoryRoutes } from './routes/history.js';
import { createPublishRoutes } from './routes/publish.js';
import { createRoomRoutes } from './routes/rooms.js';

/** Options of {@link createIngestApp}. */
export interface IngestAppOptions {
  readonly broker: Broker;
  /** The settings the routes read; a full {@link IngestConfig} will do. */
  readonly config: Pick<IngestConfig, 'MAX_BODY_BYTES'>;
  readonly logger: Logger;
  /** Where the ingest metrics are registered; one app per registry. */
  readonly registry: Registry;
}

/** What every route factory receives. */
export interface RouteDeps {
  readonly broker: Broker;
  readonly publish: Publisher;
  readonly maxBodyBytes: number;
}

/** Builds the express app of the write API (`/v1/publish`, room messages, history); it does not listen. */
export function createIngestApp(options: IngestAppOptions): Express {
  const metrics = createIngestMetrics(options.registry);
  const deps: RouteDeps = {
    broker: options.broker,
    publish: createPublisher(options.broker, metrics),
    maxBodyBytes: options.config.MAX_BODY_BYTES,
  };
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.use(createPublishRoutes(deps), createRoomRoutes(deps), createHistoryRoutes(deps));
  app.use(notFound);
  app.use(createErrorHandler({ logger: options.logger, metrics }));
  return app;
}
