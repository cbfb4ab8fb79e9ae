import type { ErrorCode } from '@ssehub/protocol';
import { HTTP_STATUS, MethodNotAllowedError, notFoundError, redactToken, sendError, toWireError } from '@ssehub/service-kit';
import type { LimitHits, Logger, WireError } from '@ssehub/service-kit';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { IngestMetrics } from './metrics.js';

/** Ingest's 503: the client must know its event was not stored. */
const UNAVAILABLE_MESSAGE = 'the broker is unavailable; the event was not published, retry later';

// Errors from express's body parser and router carry an HTTP status and sometimes a `type`.
interface HttpLikeError {
  readonly status?: unknown;
  readonly type?: unknown;
  readonly limit?: unknown;
  readonly message?: unknown;
}

function httpError(code: ErrorCode, message: string): WireError {
  return { status: HTTP_STATUS[code], code, message };
}

function fromHttpError(error: HttpLikeError): WireError | undefined {
  if (typeof error.status !== 'number' || error.status < 400 || error.status >= 500) return undefined;
  switch (error.type) {
    case 'entity.too.large':
      return httpError('payload_too_large', `the body is larger than ${String(error.limit)} bytes`);
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return httpError('unsupported_media_type', String(error.message));
  }
  if (error.status === 413) return httpError('payload_too_large', 'the body is too large');
  if (error.status === 415) return httpError('unsupported_media_type', String(error.message));
  return httpError('bad_request', String(error.message).slice(0, 200));
}

/** Maps anything a route threw to its wire answer: service-kit's mapping, then express's own 4xx errors. */
export function toApiError(error: unknown): WireError {
  const wire = toWireError(error, { unavailable: UNAVAILABLE_MESSAGE });
  if (wire.code !== 'internal' || error === null || typeof error !== 'object') return wire;
  return fromHttpError(error) ?? wire;
}

/** Options of {@link createErrorHandler}. */
export interface ErrorHandlerOptions {
  readonly logger: Logger;
  readonly metrics: IngestMetrics;
  /** Counts bodies refused for their size. */
  readonly limitHits?: LimitHits;
}

/** The one place errors become `{error: {code, message}}` responses; 5xx are logged with their stack. */
export function createErrorHandler({ logger, metrics, limitHits }: ErrorHandlerOptions): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const apiError = toApiError(error);
    metrics.errors.inc({ code: apiError.code });
    // A token given as ?access_token= must not end up in the log.
    const url = redactToken(req.originalUrl);
    if (apiError.code === 'internal') logger.error({ err: error, method: req.method, url }, 'request failed');
    else if (apiError.code === 'unavailable') logger.warn({ err: error, url }, 'broker unavailable');
    if (apiError.code === 'payload_too_large') limitHits?.('body_bytes');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    sendError(res, apiError.code, apiError.message, apiError.headers);
  };
}

/** Answers every path no route claimed with service-kit's 404 `not_found`. */
export const notFound: RequestHandler = (req, _res, next) => {
  next(notFoundError(req.method, req.path));
};

/** Answers a known path called with another method: service-kit's 405, its `Allow` header set by `toWireError`. */
export function methodNotAllowed(allow: string): RequestHandler {
  return (req, _res, next) => {
    next(new MethodNotAllowedError(req.method, allow));
  };
}
