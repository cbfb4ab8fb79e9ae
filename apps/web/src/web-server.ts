import type { Server } from 'node:http';
import { createHttpServer, createOpsRoutes, logRequest, sendError, type Logger } from '@ssehub/service-kit';
import type { Registry } from 'prom-client';
import { createStaticHandler } from './static-handler.js';

/** Options of {@link createWebServer}. */
export interface WebServerOptions {
  /** Directory with the built page. */
  readonly root: string;
  /** This node's name (`NODE_ID`), in `/healthz`, `/readyz` and every log line. */
  readonly node: string;
  readonly logger: Logger;
  /** What `/metrics` exports: the process's default metrics. */
  readonly registry: Registry;
}

// Nothing to wait for: the page is read into memory when the handler is created.
const alwaysReady = (): Promise<void> => Promise.resolve();

/**
 * The `web` service: the chat page, `/healthz` `/readyz` `/metrics`, and JSON 404s for everything
 * else; one log line per request with its `reqId`, as the other apps write.
 */
export function createWebServer(options: WebServerOptions): Server {
  const serveStatic = createStaticHandler({ root: options.root });
  const ops = createOpsRoutes({ service: 'web', node: options.node, registry: options.registry, ready: alwaysReady });
  return createHttpServer((req, res) => {
    logRequest(req, res, options.logger);
    if (ops(req, res) || serveStatic(req, res)) return;
    sendError(res, 'not_found', `nothing at ${req.method ?? 'GET'} ${(req.url ?? '/').split('?', 1)[0]}`);
  });
}
