import type { IncomingMessage, ServerResponse } from 'node:http';
import { BrokerError, type Broker } from '@ssehub/broker';
import { logRequest, type LimitHits, type Logger } from '@ssehub/service-kit';
import { createAdminAuth } from './admin-auth.js';
import { ADMIN_PREFIX, serveAdmin } from './admin-routes.js';
import { createNodeRegistry } from './node-registry.js';

/** Options of {@link createAdminApi}. */
export interface AdminApiOptions {
  readonly broker: Broker;
  readonly logger: Logger;
  readonly nodeId: string;
  /** The bearer token of the admin API; unset turns it off. */
  readonly adminToken: string | undefined;
  /** The address a request counts against when its admin token is wrong. */
  readonly clientKey: (req: IncomingMessage) => string;
  readonly limitHits: LimitHits;
  /** Seconds this node's report lives in the registry without a refresh. */
  readonly ttlS: number;
  readonly connectionCount: () => number;
  /** Open streams by topic. */
  readonly streamTopics: () => Map<string, number>;
  readonly brokerLagSeconds: () => number | null;
}

/** The gateway's admin side: request ids and access lines, the node registry, and the admin routes. */
export interface AdminApi {
  /** Sees every request first: tags and logs the gateway's own, answers `/v1/admin/*` (true when it did). */
  observe(req: IncomingMessage, res: ServerResponse, url: URL): boolean;
  close(): Promise<void>;
}

const isGatewayPath = (path: string): boolean =>
  path === '/v1/events' || path.startsWith('/v1/presence/') || path.startsWith(ADMIN_PREFIX);

/** Builds the admin side and starts reporting this node. */
export function createAdminApi(options: AdminApiOptions): AdminApi {
  const { broker, logger } = options;
  const registry = createNodeRegistry({
    broker,
    nodeId: options.nodeId,
    ttlS: options.ttlS,
    snapshot: () => ({ connections: options.connectionCount(), topics: options.streamTopics(), brokerLagSeconds: options.brokerLagSeconds() }),
    // While the broker is still connecting (or down) the backend already logs each retry once.
    onError: (error) =>
      error instanceof BrokerError && error.code === 'unavailable'
        ? logger.debug({ err: error }, 'node report deferred: broker unavailable')
        : logger.warn({ err: error }, 'node report failed; retrying'),
  });
  const checkAccess = createAdminAuth({ adminToken: options.adminToken, clientKey: options.clientKey, limitHits: options.limitHits, logger });
  return {
    observe(req, res, url) {
      if (!isGatewayPath(url.pathname)) return false;
      // Once per request, at connection open for a stream: never per event.
      logRequest(req, res, logger);
      if (!url.pathname.startsWith(ADMIN_PREFIX)) return false;
      void serveAdmin(req, res, url, { broker, registry, checkAccess, logger });
      return true;
    },
    close: () => registry.close(),
  };
}
