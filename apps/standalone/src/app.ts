import type { RequestListener, Server } from 'node:http';
import type { Broker } from '@ssehub/broker';
import { createGatewayApp, createJoseAccessPolicy, type GatewayApp } from '@ssehub/gateway';
import { createIngestApp } from '@ssehub/ingest';
import {
  createHttpServer,
  createLimitHits,
  createOpsRoutes,
  httpServerLimits,
  sendError,
  type Logger,
} from '@ssehub/service-kit';
import { WEB_ROOT, createStaticHandler } from '@ssehub/web';
import type { Registry } from 'prom-client';
import type { StandaloneConfig } from './config.js';

/** Options of {@link createStandaloneServer}. */
export interface StandaloneOptions {
  readonly broker: Broker;
  readonly config: StandaloneConfig;
  readonly logger: Logger;
  readonly registry: Registry;
}

/** The one-process composition: gateway, ingest and the web chat behind one (not yet listening) server. */
export interface Standalone {
  readonly server: Server;
  readonly gateway: GatewayApp;
}

/** Mounts gateway + ingest + web on one HTTP server; `main.ts` makes it listen. */
export function createStandaloneServer(options: StandaloneOptions): Standalone {
  const { broker, config, logger, registry } = options;
  // One policy for both halves: one JWKS cache, one set of public patterns.
  const access = createJoseAccessPolicy(config.gateway);
  const gateway = createGatewayApp({ broker, config: config.gateway, logger, registry, access });
  const ingest = createIngestApp({ broker, config: config.ingest, logger, registry, access });
  const web = createStaticHandler({ root: WEB_ROOT });
  const ops = createOpsRoutes({ service: 'standalone', node: config.gateway.NODE_ID, registry, ready: gateway.ready });
  const route: RequestListener = (req, res) => {
    if (ops(req, res) || gateway.handle(req, res)) return;
    if ((req.url ?? '').startsWith('/v1/')) return void ingest(req, res);
    if (web(req, res)) return;
    sendError(res, 'not_found', `no route for ${req.method} ${(req.url ?? '').split('?', 1)[0]}`);
  };
  const server = createHttpServer(route, httpServerLimits(config.gateway, createLimitHits(registry)));
  return { server, gateway };
}
