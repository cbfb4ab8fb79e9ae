import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Broker, PresenceTracker } from '@ssehub/broker';
import { clientIp, sendError, toWireError, type Logger } from '@ssehub/service-kit';
import type { GatewayAppConfig } from './app-config.js';
import type { EventsRequest } from './events-request.js';
import { readyFrame, retryFrame } from './frames.js';
import { LiveFrames } from './live-frames.js';
import type { GatewayMetrics } from './metrics.js';
import type { PresenceGate } from './presence-gate.js';
import { SSE_HEADERS } from './sse-headers.js';
import { SseConnection, type SseConnectionHooks } from './sse-connection.js';
import type { Admission, StreamGuard } from './stream-guard.js';
import type { WriteScheduler } from './write-scheduler.js';

/** What {@link createStreamOpener} opens streams with; the app builds each collaborator once. */
export interface StreamOpenerOptions {
  readonly broker: Broker;
  readonly config: GatewayAppConfig;
  readonly logger: Logger;
  /** Every open stream with what it holds; the opener adds to it, the stream's `close` removes. */
  readonly connections: Map<SseConnection, Admission>;
  readonly scheduler: WriteScheduler;
  readonly metrics: GatewayMetrics;
  readonly presence: PresenceTracker;
  readonly guard: StreamGuard;
  readonly presenceGate: PresenceGate;
}

/** Opens `GET /v1/events` streams: admission, subscription, presence, and the hooks each stream calls. */
export interface StreamOpener {
  /** Admits, subscribes and starts a validated stream request, or answers why not. */
  openStream(req: IncomingMessage, res: ServerResponse, request: EventsRequest): Promise<void>;
  /** `RETRY_MS` with up to 50 % jitter, so reconnects after a drain spread out. */
  jitteredRetry(): number;
}

/** Builds the stream opener of one gateway. */
export function createStreamOpener(options: StreamOpenerOptions): StreamOpener {
  const { broker, config, logger, connections, scheduler, metrics, presence, guard, presenceGate } = options;
  const liveFrames = new LiveFrames((ms) => metrics.publishToWrite.observe(ms / 1000));
  // Streams counted in presence: only these leave it when they close.
  const present = new Set<SseConnection>();
  const streamAddress = (req: IncomingMessage): string => clientIp(req, config.TRUST_PROXY_HOPS, config.IPV6_PREFIX_BITS);

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
      const resumedTopics = request.lastEventId === undefined ? undefined : [...subscription.resumedTopics];
      connection.enqueue(readyFrame({ node: config.NODE_ID, topics: request.topics, resumed, resumedTopics, cursor }));
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

  return { openStream, jitteredRetry };
}
