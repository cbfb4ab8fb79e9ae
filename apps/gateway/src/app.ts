import type { IncomingMessage, ServerResponse } from 'node:http';
import { BrokerError, type Broker } from '@ssehub/broker';
import { sendError, type Logger } from '@ssehub/service-kit';
import type { Registry } from 'prom-client';
import type { GatewayConfig } from './config.js';
import { parseEventsRequest, type EventsRequest } from './events-request.js';
import { HEARTBEAT_FRAME, createFrameCache, readyFrame, reconnectFrame, resetFrame, retryFrame } from './frames.js';
import { createGatewayMetrics } from './metrics.js';
import { SSE_HEADERS } from './sse-headers.js';
import { SseConnection, type SseConnectionHooks } from './sse-connection.js';
import { WriteScheduler } from './write-scheduler.js';

/** The settings the gateway app uses (a subset of {@link GatewayConfig}). */
export type GatewayAppConfig = Pick<
  GatewayConfig,
  'NODE_ID' | 'HEARTBEAT_S' | 'RETRY_MS' | 'MAX_BUFFER_BYTES' | 'MAX_TOPICS_PER_CONNECTION'
>;

/** Options of {@link createGatewayApp}. */
export interface GatewayAppOptions {
  readonly broker: Broker;
  readonly config: GatewayAppConfig;
  readonly logger: Logger;
  readonly registry: Registry;
}

/** The gateway's request handling, without a listening socket. */
export interface GatewayApp {
  /** Serves `/v1/events`; returns false for paths that are not the gateway's. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
  /** Rejects while draining or while the broker is unreachable. */
  ready(): Promise<void>;
  /** Refuses new streams, asks every client to reconnect elsewhere (jittered `retry:`) and ends its stream. */
  drain(): void;
  connectionCount(): number;
  /** Stops the heartbeat timer and ends every stream. */
  close(): void;
}

/** Builds the gateway from a broker and its config; `main.ts` adds the socket and signals. */
export function createGatewayApp(options: GatewayAppOptions): GatewayApp {
  const { broker, config, logger } = options;
  const connections = new Set<SseConnection>();
  const scheduler = new WriteScheduler();
  const metrics = createGatewayMetrics(options.registry, broker, () => connections.size);
  const frameFor = createFrameCache((event) => metrics.publishToWrite.observe(Math.max(0, Date.now() - event.ts) / 1000));
  let draining = false;

  const jitteredRetry = (): number => Math.round(config.RETRY_MS * (1 + Math.random() * 0.5));
  const hooks: SseConnectionHooks = {
    onSlow(connection) {
      metrics.slowConsumerDisconnects.inc();
      logger.warn({ remote: connection.res.socket?.remoteAddress }, 'slow consumer cut off; it resumes from its last id');
    },
    onClose: (connection) => connections.delete(connection),
    onWritten: (frames) => metrics.delivered(frames),
  };

  // One timer per node, not one per connection.
  const heartbeat = setInterval(() => {
    for (const connection of connections) connection.enqueue(HEARTBEAT_FRAME);
  }, config.HEARTBEAT_S * 1000);
  heartbeat.unref();

  async function openStream(req: IncomingMessage, res: ServerResponse, request: EventsRequest): Promise<void> {
    const connection = new SseConnection(res, scheduler, config.MAX_BUFFER_BYTES, hooks);
    connections.add(connection);
    req.socket.setNoDelay(true);
    connection.enqueue(retryFrame(jitteredRetry()));
    try {
      const subscription = await broker.subscribe(
        { topics: request.topics, after: request.lastEventId },
        {
          onEvent: (event) => connection.enqueue(frameFor(event)),
          onReset: (reason) =>
            connection.enqueue(resetFrame({ reason, lastEventId: request.lastEventId ?? '', topics: request.topics })),
          onError: (error) => {
            logger.warn({ err: error }, 'subscription ended by the broker; the client reconnects');
            connection.end();
          },
        },
      );
      if (!connection.isOpen) return subscription.close();
      connection.subscription = subscription;
      const { resumed, cursor } = subscription;
      connection.enqueue(readyFrame({ node: config.NODE_ID, topics: request.topics, resumed, cursor }));
      connection.start(SSE_HEADERS);
    } catch (error) {
      connection.close();
      if (res.headersSent || res.destroyed) return;
      if (error instanceof BrokerError && error.code === 'invalid_cursor') sendError(res, 'invalid_cursor', error.message);
      else if (error instanceof BrokerError) sendError(res, 'unavailable', 'the broker is unavailable; retry shortly');
      else {
        logger.error({ err: error }, 'subscribe failed');
        sendError(res, 'internal', 'the subscription could not be opened');
      }
    }
  }

  function handle(req: IncomingMessage, res: ServerResponse): boolean {
    const url = new URL(req.url ?? '/', 'http://gateway.invalid');
    if (url.pathname !== '/v1/events') return false;
    if (req.method !== 'GET') {
      sendError(res, 'method_not_allowed', 'GET /v1/events only', { allow: 'GET' });
    } else if (draining) {
      sendError(res, 'unavailable', 'this node is draining; reconnect to another', { 'retry-after': '1' });
    } else {
      const request = parseEventsRequest(req, url, config.MAX_TOPICS_PER_CONNECTION);
      if ('code' in request) sendError(res, request.code, request.message);
      else void openStream(req, res, request);
    }
    return true;
  }

  function drain(): void {
    draining = true;
    for (const connection of connections) {
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
    close() {
      clearInterval(heartbeat);
      draining = true;
      for (const connection of connections) connection.end();
    },
  };
}
