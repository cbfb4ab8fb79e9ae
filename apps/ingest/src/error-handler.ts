import { BrokerError } from '@ssehub/broker';
import { SsehubError, type ErrorCode } from '@ssehub/protocol';
import { redactToken, sendError, type LimitHits, type Logger } from '@ssehub/service-kit';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { IngestMetrics } from './metrics.js';

/** What an error becomes on the wire. */
export interface ApiError {
  readonly code: ErrorCode;
  readonly message: string;
}

const INTERNAL: ApiError = { code: 'internal', message: 'internal error' };

// Errors from express's body parser and router carry an HTTP status and sometimes a `type`.
interface HttpLikeError {
  readonly status?: unknown;
  readonly type?: unknown;
  readonly limit?: unknown;
  readonly message?: unknown;
}

function fromBrokerError(error: BrokerError): ApiError {
  if (error.code === 'unavailable' || error.code === 'closed') {
    return { code: 'unavailable', message: 'the broker is unavailable; the event was not published, retry later' };
  }
  if (error.code === 'invalid_cursor' || error.code === 'idempotency_conflict') return { code: error.code, message: error.message };
  return INTERNAL;
}

function fromHttpError(error: HttpLikeError): ApiError | undefined {
  if (typeof error.status !== 'number' || error.status < 400 || error.status >= 500) return undefined;
  switch (error.type) {
    case 'entity.too.large':
      return { code: 'payload_too_large', message: `the body is larger than ${String(error.limit)} bytes` };
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return { code: 'unsupported_media_type', message: String(error.message) };
  }
  if (error.status === 413) return { code: 'payload_too_large', message: 'the body is too large' };
  if (error.status === 415) return { code: 'unsupported_media_type', message: String(error.message) };
  return { code: 'bad_request', message: String(error.message).slice(0, 200) };
}

/** Maps anything a route threw to a wire error; `internal` for whatever was not expected. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof SsehubError) return { code: error.code, message: error.message };
  if (error instanceof BrokerError) return fromBrokerError(error);
  if (error !== null && typeof error === 'object') return fromHttpError(error) ?? INTERNAL;
  return INTERNAL;
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
    if (apiError.code === 'unauthorized' && !res.headersSent) res.setHeader('www-authenticate', 'Bearer realm="ssehub"');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    sendError(res, apiError.code, apiError.message);
  };
}

/** Answers every path no route claimed with 404 `not_found`. */
export const notFound: RequestHandler = (req, _res, next) => {
  next(new SsehubError('not_found', `no route for ${req.method} ${req.path.slice(0, 200)}`));
};

/** Answers a known path called with another method: 405 with an `Allow` header. */
export function methodNotAllowed(allow: string): RequestHandler {
  return (req, res, next) => {
    res.setHeader('allow', allow);
    next(new SsehubError('method_not_allowed', `${req.method} is not allowed here (allowed: ${allow})`));
  };
}
