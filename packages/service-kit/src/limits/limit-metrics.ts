import { Counter, type Registry } from 'prom-client';

/** Every limit that answers a 4xx, as the `limit` label of `ssehub_limit_hits_total`. */
export const LIMIT_NAMES = [
  'body_bytes',
  'batch_events',
  'topics_per_connection',
  'connections_per_user',
  'connections_per_ip',
  'publish_rate',
  'header_bytes',
  'last_event_id',
  'request_timeout',
  'admin_auth',
  'history_concurrency',
  'presence_rate',
] as const;

/** One of {@link LIMIT_NAMES}. */
export type LimitName = (typeof LIMIT_NAMES)[number];

/** Counts one hit of a limit. */
export type LimitHits = (limit: LimitName) => void;

const METRIC = 'ssehub_limit_hits_total';

/**
 * `ssehub_limit_hits_total{limit}` on `registry`. Gateway and ingest share one registry in standalone,
 * so the counter is registered once and found again by the second app.
 */
export function createLimitHits(registry: Registry): LimitHits {
  const counter =
    (registry.getSingleMetric(METRIC) as Counter<'limit'> | undefined) ??
    new Counter({ name: METRIC, help: 'Requests refused because a configured limit was reached', labelNames: ['limit'], registers: [registry] });
  // Every series exists from the start, so an alert on rate() sees the first hit.
  for (const limit of LIMIT_NAMES) counter.inc({ limit }, 0);
  return (limit) => counter.inc({ limit });
}
