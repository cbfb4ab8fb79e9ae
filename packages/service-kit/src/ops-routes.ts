import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import { sendError, sendJson } from './http-errors.js';

/** Options of {@link createOpsRoutes}. */
export interface OpsRoutesOptions {
  readonly service: string;
  readonly node: string;
  /** Where `/metrics` comes from: a registry, or a gateway cluster worker's view of the whole node. */
  readonly registry: Pick<Registry, 'metrics' | 'contentType'>;
  /** Rejects (with a reason) when the app cannot serve: broker unreachable, draining. */
  readonly ready: () => Promise<void>;
}

/** Answers `GET /healthz`, `/readyz` and `/metrics`; returns false for any other request. */
export function createOpsRoutes(options: OpsRoutesOptions): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0];
    if (path !== '/healthz' && path !== '/readyz' && path !== '/metrics') return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendError(res, 'method_not_allowed', `${path} answers GET only`, { allow: 'GET, HEAD' });
      return true;
    }
    if (path === '/healthz') {
      sendJson(res, 200, { status: 'ok', service: options.service, node: options.node });
    } else if (path === '/readyz') {
      options.ready().then(
        () => sendJson(res, 200, { status: 'ready', service: options.service, node: options.node }),
        (error: unknown) => sendError(res, 'unavailable', `not ready: ${error instanceof Error ? error.message : String(error)}`),
      );
    } else {
      options.registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': options.registry.contentType });
          res.end(text);
        },
        () => sendError(res, 'internal', 'metrics could not be collected'),
      );
    }
    return true;
  };
}
