import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';

/** The header a request id travels in, both ways. @default "x-request-id" */
export const REQUEST_ID_HEADER = 'x-request-id';

// An id from a client or a proxy ends up in logs and a response header: short, printable, no separators.
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The request's id: the caller's `X-Request-Id` when it is a sane one (so a proxy's id follows the
 * request through), otherwise a new UUID. It is echoed on the response.
 */
export function assignRequestId(req: IncomingMessage, res: ServerResponse): string {
  const given = req.headers[REQUEST_ID_HEADER];
  const id = typeof given === 'string' && REQUEST_ID_PATTERN.test(given) ? given : randomUUID();
  res.setHeader(REQUEST_ID_HEADER, id);
  return id;
}

/**
 * Gives the request an id and logs one line when its response ends: method, path (never the query,
 * which may carry a token), status and duration. For a stream that is one line per connection.
 */
export function logRequest(req: IncomingMessage, res: ServerResponse, logger: Logger): string {
  const reqId = assignRequestId(req, res);
  const started = performance.now();
  res.once('close', () => {
    const path = (req.url ?? '/').split('?', 1)[0];
    const fields = { reqId, method: req.method, path, status: res.statusCode, ms: Math.round(performance.now() - started) };
    if (res.statusCode >= 500) logger.warn(fields, 'request failed');
    else logger.info(fields, 'request');
  });
  return reqId;
}
