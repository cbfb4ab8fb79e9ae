import { logRequest, type Logger } from '@ssehub/service-kit';
import type { RequestHandler } from 'express';

/**
 * Gives every request an id (its `X-Request-Id` when sane, else a new one; echoed in the response and
 * kept in `res.locals.requestId`) and logs one JSON line when the response ends.
 */
export function requestIdMiddleware(logger: Logger): RequestHandler {
  return (req, res, next) => {
    res.locals.requestId = logRequest(req, res, logger);
    next();
  };
}
