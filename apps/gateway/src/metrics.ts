import type { Broker } from '@ssehub/broker';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The gateway's Prometheus metrics. */
export interface GatewayMetrics {
  readonly slowConsumerDisconnects: Counter;
  readonly publishToWrite: Histogram;
  /** Adds delivered frames; summed in a plain number and read at scrape time, off the hot path. */
  delivered(frames: number): void;
}

/** What the gauges read at scrape time. */
export interface GatewayGaugeSources {
  connections(): number;
  /** The write coalescing window now (it widens while the process is saturated). */
  coalesceWindowMs(): number;
}

/** Registers the gateway's metrics on `registry`. */
export function createGatewayMetrics(registry: Registry, broker: Broker, sources: GatewayGaugeSources): GatewayMetrics {
  let deliveredSinceScrape = 0;
  new Gauge({
    name: 'ssehub_gateway_connections',
    help: 'Open SSE connections on this node',
    registers: [registry],
    collect() {
      this.set(sources.connections());
    },
  });
  new Gauge({
    name: 'ssehub_gateway_write_coalesce_window_seconds',
    help: 'How long a busy stream waits between writes; above WRITE_COALESCE_MS while writing saturates the process',
    registers: [registry],
    collect() {
      this.set(sources.coalesceWindowMs() / 1000);
    },
  });
  new Gauge({
    name: 'ssehub_gateway_broker_topics',
    help: 'Topics this node holds one broker subscription for',
    registers: [registry],
    collect() {
      this.set(broker.stats().topics);
    },
  });
  new Counter({
    name: 'ssehub_gateway_frames_delivered_total',
    help: 'SSE frames (events, control events, heartbeats) written to clients',
    registers: [registry],
    collect() {
      this.inc(deliveredSinceScrape);
      deliveredSinceScrape = 0;
    },
  });
  return {
    slowConsumerDisconnects: new Counter({
      name: 'ssehub_gateway_slow_consumer_disconnects_total',
      help: 'Connections cut off because their outgoing buffer overflowed',
      registers: [registry],
    }),
    publishToWrite: new Histogram({
      name: 'ssehub_gateway_publish_to_write_seconds',
      help: 'Time from the broker accepting a live event to this node first writing it to a stream (once per event; replays are not counted)',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    delivered(frames) {
      deliveredSinceScrape += frames;
    },
  };
}
