import type { IncomingMessage } from 'node:http';
import { BrokerError, type Broker } from '@ssehub/broker';
import type { LimitHits, Logger, Route } from '@ssehub/service-kit';
import { createAdminAuth } from './admin-auth.js';
import { createAdminRoute } from './admin-routes.js';
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

/** The gateway's admin side: the node registry and the `/v1/admin/*` route. */
export interface AdminApi {
  /** `/v1/admin/*`, a route of the gateway's table. */
  readonly route: Route;
  close(): Promise<void>;
}

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
    route: createAdminRoute({ broker, registry, checkAccess, logger }),
    close: () => registry.close(),
  };
}
