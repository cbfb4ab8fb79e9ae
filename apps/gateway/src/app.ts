import type { IncomingMessage, ServerResponse } from 'node:http';
import { createPresenceTracker, type Broker } from '@ssehub/broker';
import { clientIp, createLimitHits, createRequestEdge, createRouteTable, type AccessPolicy, type Logger } from '@ssehub/service-kit';
import type { Registry } from 'prom-client';
import type { GatewayAppConfig } from './app-config.js';
import { routingUrl } from './events-request.js';
import { createEventsRoute } from './events-route.js';
import { HEARTBEAT_FRAME, reconnectFrame } from './frames.js';
import { createAdminApi } from './admin/admin-api.js';
import { createLagMonitor } from './lag-monitor.js';
import { createGatewayMetrics } from './metrics.js';
import { PRESENCE_BURST_DEFAULT, PRESENCE_RATE_PER_S_DEFAULT, createPresenceGate } from './presence-gate.js';
import { createPresenceRoute } from './presence-route.js';
import type { SseConnection } from './sse-connection.js';
import { createStreamGuard, type Admission } from './stream-guard.js';
import { createStreamOpener } from './stream-opener.js';
import { WriteScheduler } from './write-scheduler.js';

export type { GatewayAppConfig } from './app-config.js';


/** The write coalescing window when the config leaves it out (tests build the config by hand). @default 30 */
export const WRITE_COALESCE_MS_DEFAULT = 30;
/** How far that window may widen under saturation when the config leaves it out. @default 240 */
export const WRITE_COALESCE_MAX_MS_DEFAULT = 240;

/** Options of {@link createGatewayApp}. */
export interface GatewayAppOptions {
  readonly broker: Broker;
  readonly config: GatewayAppConfig;
  readonly logger: Logger;
  readonly registry: Registry;
  /** Who may read which topics (service-kit's `createAccessPolicy`); shared with ingest in standalone. */
  readonly access: AccessPolicy;
}

/** The gateway's request handling, without a listening socket. */
export interface GatewayApp {
  /** Serves `/v1/events`, `/v1/presence/{topic}` and `/v1/admin/*`; returns false for paths that are not the gateway's. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
  /** Rejects while draining or while the broker is unreachable. */
  ready(): Promise<void>;
  /** Refuses new streams, asks every client to reconnect elsewhere (jittered `retry:`) and ends its stream. */
  drain(): void;
  connectionCount(): number;
  /** Stops the timers, ends every stream and withdraws this node's presence. */
  close(): Promise<void>;
}

/** Builds the gateway from a broker and its config; `main.ts` adds the socket and signals. */
export function createGatewayApp(options: GatewayAppOptions): GatewayApp {
  const { broker, config, logger } = options;
  // Every open stream with what it holds; its one `close` listener (the connection's) gives it all back.
  const connections = new Map<SseConnection, Admission>();
  const limitHits = createLimitHits(options.registry);
  const lag = createLagMonitor({ broker, registry: options.registry, nodeId: config.NODE_ID, intervalS: config.LAG_PROBE_S ?? 0, logger });
  const admin = createAdminApi({
    broker,
    logger,
    nodeId: config.NODE_ID,
    adminToken: config.ADMIN_TOKEN,
    clientKey: (req) => clientIp(req, config.TRUST_PROXY_HOPS, config.IPV6_PREFIX_BITS),
    limitHits,
    ttlS: config.PRESENCE_TTL_S,
    connectionCount: () => connections.size,
    streamTopics: () => countTopics(connections.keys()),
    brokerLagSeconds: lag.lagSeconds,
  });
  const scheduler = new WriteScheduler(
    config.WRITE_COALESCE_MS ?? WRITE_COALESCE_MS_DEFAULT,
    config.WRITE_COALESCE_MAX_MS ?? WRITE_COALESCE_MAX_MS_DEFAULT,
  );
  const metrics = createGatewayMetrics(options.registry, broker, { connections: () => connections.size, coalesceWindowMs: () => scheduler.windowMs });
  const presence = createPresenceTracker({
    broker,
    nodeId: config.NODE_ID,
    ttlS: config.PRESENCE_TTL_S,
    onError: (error) => logger.warn({ err: error }, 'presence refresh failed; retrying'),
  });
  const guard = createStreamGuard({ access: options.access, config, limitHits, logger });
  const presenceGate = createPresenceGate({
    ratePerS: config.PRESENCE_RATE_PER_S ?? PRESENCE_RATE_PER_S_DEFAULT,
    burst: config.PRESENCE_BURST ?? PRESENCE_BURST_DEFAULT,
    limitHits,
  });
  const { openStream, jitteredRetry } = createStreamOpener({ broker, config, logger, connections, scheduler, metrics, presence, guard, presenceGate });
  let draining = false;

  // One timer per node, not one per connection.
  const heartbeat = setInterval(() => {
    for (const connection of connections.keys()) connection.enqueue(HEARTBEAT_FRAME);
  }, config.HEARTBEAT_S * 1000);
  heartbeat.unref();

  const routes = createRouteTable({
    logger,
    edge: createRequestEdge({ logger, corsOrigins: config.CORS_ORIGINS }),
    routes: [
      createEventsRoute({ maxTopics: config.MAX_TOPICS_PER_CONNECTION, isDraining: () => draining, refuse: guard.refuse, openStream }),
      createPresenceRoute({ presence, authorizeRead: guard.authorizeRead }),
      admin.route,
    ],
  });

  // The raw path is routed (see routingUrl); paths that are not the gateway's are left to the caller.
  function handle(req: IncomingMessage, res: ServerResponse): boolean {
    const url = routingUrl(req.url);
    return url !== undefined && routes.serve(req, res, url);
  }

  function drain(): void {
    draining = true;
    for (const connection of connections.keys()) {
      connection.end(reconnectFrame({ reason: 'draining', node: config.NODE_ID }, jitteredRetry()));
    }
  }

  return {
    handle,
    drain,
    ready: async () => {
      if (draining) throw new Error('draining');
      await broker.ping();
    },
    connectionCount: () => connections.size,
    async close() {
      clearInterval(heartbeat);
      scheduler.close();
      lag.close();
      guard.close();
      draining = true;
      for (const connection of connections.keys()) connection.end();
      await presence.close().catch((error: unknown) => logger.warn({ err: error }, 'presence could not be withdrawn'));
      await admin.close().catch((error: unknown) => logger.warn({ err: error }, 'node report could not be withdrawn'));
    },
  };
}

/** Open streams by topic, for the admin API. */
function countTopics(connections: Iterable<SseConnection>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const { request } of connections) for (const topic of request.topics) counts.set(topic, (counts.get(topic) ?? 0) + 1);
  return counts;
}
