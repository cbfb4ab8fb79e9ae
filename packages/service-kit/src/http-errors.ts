import type { ServerResponse } from 'node:http';
import { errorBody, type ErrorCode } from '@ssehub/protocol';

/** The one table from wire error code to HTTP status, shared by every app. */
export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = Object.freeze({
  bad_request: 400,
  invalid_topic: 400,
  invalid_event: 400,
  invalid_cursor: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  not_acceptable: 406,
  payload_too_large: 413,
  headers_too_large: 431,
  unsupported_media_type: 415,
  request_timeout: 408,
  idempotency_conflict: 409,
  rate_limited: 429,
  too_many_connections: 429,
  unavailable: 503,
  internal: 500,
});

/** Writes a JSON body with the given status. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
    'cache-control': 'no-store',
  });
  res.end(payload);
}

/** Writes `{error: {code, message}}` with the status the code maps to. */
export function sendError(res: ServerResponse, code: ErrorCode, message: string, headers: Record<string, string> = {}): void {
  sendJson(res, HTTP_STATUS[code], errorBody(code, message), headers);
}
