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

/** What the line written when a response ends needs. */
interface OpenRequest {
  readonly logger: Logger;
  readonly reqId: string;
  readonly started: number;
}

// One shared `close` listener and a weak entry per response instead of a closure and a `once`
// wrapper: a stream's response lives as long as the stream, and a node holds tens of thousands.
const openRequests = new WeakMap<ServerResponse, OpenRequest>();

function logWhenClosed(this: ServerResponse): void {
  const open = openRequests.get(this);
  if (open === undefined) return;
  openRequests.delete(this);
  const path = (this.req.url ?? '/').split('?', 1)[0];
  const fields = { reqId: open.reqId, method: this.req.method, path, status: this.statusCode, ms: Math.round(performance.now() - open.started) };
  if (this.statusCode >= 500) open.logger.warn(fields, 'request failed');
  else open.logger.info(fields, 'request');
}

/**
 * Gives the request an id and logs one line when its response ends: method, path (never the query,
 * which may carry a token), status and duration. For a stream that is one line per connection.
 */
export function logRequest(req: IncomingMessage, res: ServerResponse, logger: Logger): string {
  const reqId = assignRequestId(req, res);
  openRequests.set(res, { logger, reqId, started: performance.now() });
  res.on('close', logWhenClosed);
  return reqId;
}
