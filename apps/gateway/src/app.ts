import type { IncomingMessage, ServerResponse } from 'node:http';
import { createPresenceTracker, type Broker } from '@ssehub/broker';
import { clientIp, createLimitHits, sendError, toWireError, type AccessPolicy, type Logger } from '@ssehub/service-kit';
import type { Registry } from 'prom-client';
import type { GatewayConfig } from './config.js';
import { RequestProblem, parseEventsRequest, routingUrl, type EventsRequest } from './events-request.js';
import { HEARTBEAT_FRAME, readyFrame, reconnectFrame, retryFrame } from './frames.js';
import { createAdminApi } from './admin/admin-api.js';
import { createLagMonitor } from './lag-monitor.js';
import { LiveFrames } from './live-frames.js';
import { createGatewayMetrics } from './metrics.js';
import { PRESENCE_BURST_DEFAULT, PRESENCE_RATE_PER_S_DEFAULT, createPresenceGate } from './presence-gate.js';
import { isPresencePath, servePresence } from './presence-route.js';
import { SSE_HEADERS } from './sse-headers.js';
import { SseConnection, type SseConnectionHooks } from './sse-connection.js';
import { createStreamGuard, type Admission, type StreamGuardConfig } from './stream-guard.js';
import { WriteScheduler } from './write-scheduler.js';

/** The settings the gateway app uses (a subset of {@link GatewayConfig}). */
export type GatewayAppConfig = Pick<
  GatewayConfig,
  'NODE_ID' | 'HEARTBEAT_S' | 'RETRY_MS' | 'MAX_BUFFER_BYTES' | 'MAX_TOPICS_PER_CONNECTION' | 'PRESENCE_TTL_S'
> &
  Partial<Pick<GatewayConfig, 'ADMIN_TOKEN' | 'LAG_PROBE_S' | 'WRITE_COALESCE_MS' | 'WRITE_COALESCE_MAX_MS'>> &
  Partial<Pick<GatewayConfig, 'PRESENCE_RATE_PER_S' | 'PRESENCE_BURST'>> &
  StreamGuardConfig;

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
  /** Serves `/v1/events` and `/v1/presence/{topic}`; returns false for paths that are not the gateway's. */
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
  const liveFrames = new LiveFrames((ms) => metrics.publishToWrite.observe(ms / 1000));
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
  // Streams counted in presence: only these leave it when they close.
  const present = new Set<SseConnection>();
  const streamAddress = (req: IncomingMessage): string => clientIp(req, config.TRUST_PROXY_HOPS, config.IPV6_PREFIX_BITS);
  let draining = false;

  const jitteredRetry = (): number => Math.round(config.RETRY_MS * (1 + Math.random() * 0.5));
  const hooks: SseConnectionHooks = {
    onSlow(connection) {
      metrics.slowConsumerDisconnects.inc();
      logger.warn({ remote: connection.res.socket?.remoteAddress }, 'slow consumer cut off; it resumes from its last id');
    },
    onClose: (connection) => {
      const admission = connections.get(connection);
      if (admission === undefined) return;
      connections.delete(connection);
      admission.release();
      // A stream joins presence once subscribed and admitted by the gate (see openStream); only those leave.
      if (present.delete(connection) && admission.user !== undefined) leavePresence(connection.request.topics, admission.user);
    },
    onWritten(first, more) {
      metrics.delivered(more === null ? 1 : more.length);
      liveFrames.written(first, more);
    },
    frameFor: (event, live) => liveFrames.frameFor(event, live),
    onBrokerError: (_connection, error) => logger.warn({ err: error }, 'subscription ended by the broker; the client reconnects'),
  };

  // One timer per node, not one per connection.
  const heartbeat = setInterval(() => {
    for (const connection of connections.keys()) connection.enqueue(HEARTBEAT_FRAME);
  }, config.HEARTBEAT_S * 1000);
  heartbeat.unref();

  async function openStream(req: IncomingMessage, res: ServerResponse, request: EventsRequest): Promise<void> {
    let admission: Admission;
    try {
      admission = await guard.admit(req, res, request);
    } catch (error) {
      return guard.refuse(res, error);
    }
    const connection = new SseConnection(res, scheduler, config.MAX_BUFFER_BYTES, hooks, request);
    connections.set(connection, admission);
    admission.onExpiry((lastFrame) => connection.end(lastFrame));
    req.socket.setNoDelay(true);
    connection.enqueue(retryFrame(jitteredRetry()));
    try {
      // The connection is the listener: no closures per stream on the delivery path.
      const subscription = await broker.subscribe({ topics: request.topics, after: request.lastEventId }, connection);
      if (!connection.isOpen) return subscription.close();
      connection.subscription = subscription;
      if (admission.user !== undefined && presenceGate.admit(admission.user, streamAddress(req), request.topics.length)) {
        present.add(connection);
        joinPresence(request.topics, admission.user);
      }
      const { resumed, cursor } = subscription;
      connection.enqueue(readyFrame({ node: config.NODE_ID, topics: request.topics, resumed, cursor }));
      connection.start(SSE_HEADERS);
    } catch (error) {
      // A catch-up that already streamed ends like any stream: the client resumes from its last id.
      if (connection.hasStarted) return connection.end();
      connection.close();
      if (res.headersSent || res.destroyed) return;
      const wire = toWireError(error, { internal: 'the subscription could not be opened' });
      if (wire.code === 'internal') logger.error({ err: error }, 'subscribe failed');
      sendError(res, wire.code, wire.message, wire.headers);
    }
  }

  /** Counts the stream in presence for its lifetime; a broker hiccup never breaks the stream. */
  function joinPresence(topics: readonly string[], user: string): void {
    for (const topic of topics) presence.join(topic, user).catch((error: unknown) => reportPresence(error, user));
  }

  function leavePresence(topics: readonly string[], user: string): void {
    for (const topic of topics) presence.leave(topic, user).catch((error: unknown) => reportPresence(error, user));
  }

  function reportPresence(error: unknown, user: string): void {
    logger.warn({ err: error, user }, 'presence update failed');
  }

  function handle(req: IncomingMessage, res: ServerResponse): boolean {
    const url = routingUrl(req.url);
    if (url === undefined) return false;
    if (admin.observe(req, res, url)) return true;
    const isPresence = isPresencePath(url.pathname);
    if (!isPresence && url.pathname !== '/v1/events') return false;
    if (guard.cors(req, res)) return true;
    if (isPresence) {
      void servePresence(req, res, url.pathname, { presence, logger, authorizeRead: guard.authorizeRead, refuse: guard.refuse });
      return true;
    }
    if (req.method !== 'GET') {
      sendError(res, 'method_not_allowed', 'GET /v1/events only', { allow: 'GET' });
    } else if (draining) {
      sendError(res, 'unavailable', 'this node is draining; reconnect to another', { 'retry-after': '1' });
    } else {
      const request = parseEventsRequest(req, url, config.MAX_TOPICS_PER_CONNECTION);
      if (request instanceof RequestProblem) guard.refuse(res, request);
      else void openStream(req, res, request);
    }
    return true;
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
