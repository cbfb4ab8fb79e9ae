import type { IncomingMessage, ServerResponse } from 'node:http';
import { createCors } from './cors.js';
import type { Logger } from './logger.js';
import { logRequest } from './request-id.js';

/** Options of {@link createRequestEdge}. */
export interface RequestEdgeOptions {
  readonly logger: Logger;
  /** `CORS_ORIGINS`: the browser origins allowed to call from other sites. */
  readonly corsOrigins: readonly string[];
}

/**
 * What every request of every app meets first: a request id and one access line when its response
 * ends, then CORS (skipped where `cors` is false). True when it answered the request (a preflight).
 */
export type RequestEdge = (req: IncomingMessage, res: ServerResponse, options?: { readonly cors?: boolean }) => boolean;

/** Builds the request edge of one app. */
export function createRequestEdge(options: RequestEdgeOptions): RequestEdge {
  const cors = createCors(options.corsOrigins);
  return (req, res, { cors: withCors = true } = {}) => {
    logRequest(req, res, options.logger);
    return withCors && cors(req, res);
  };
}

/** The request edge as a connect/express middleware, for apps that keep express. */
export function requestEdgeMiddleware(edge: RequestEdge): (req: IncomingMessage, res: ServerResponse, next: () => void) => void {
  return (req, res, next) => {
    if (!edge(req, res)) next();
  };
}
