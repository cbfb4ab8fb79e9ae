import { Counter, Histogram, type Registry } from 'prom-client';

/** The ingest service's Prometheus metrics. */
export interface IngestMetrics {
  readonly eventsPublished: Counter;
  readonly publishSeconds: Histogram;
  readonly errors: Counter<'code'>;
}

/** Registers the ingest metrics on `registry` (once per registry). */
export function createIngestMetrics(registry: Registry): IngestMetrics {
  return {
    eventsPublished: new Counter({
      name: 'ssehub_ingest_events_published_total',
      help: 'Events the broker accepted through this ingest node',
      registers: [registry],
    }),
    publishSeconds: new Histogram({
      name: 'ssehub_ingest_publish_seconds',
      help: 'Time from handing events to the broker until it acknowledged them',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    errors: new Counter({
      name: 'ssehub_ingest_errors_total',
      help: 'Error responses by wire error code',
      labelNames: ['code'],
      registers: [registry],
    }),
  };
}
