import { BrokerError, type BrokerErrorCode } from '@ssehub/broker';
import { SsehubError, type ErrorCode } from '@ssehub/protocol';
import { HTTP_STATUS } from './http-errors.js';
import { MethodNotAllowedError } from './route-errors.js';

/** What an error becomes on the wire: the status, the `{error: {code, message}}` body and its headers. */
export interface WireError {
  readonly status: number;
  readonly code: ErrorCode;
  readonly message: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** The messages a route gives its own 503 and 500 answers (a publish is "not published", a read is not). */
export interface WireErrorMessages {
  /** @default 'the broker is unavailable; retry shortly' */
  readonly unavailable?: string;
  /** @default 'internal error' */
  readonly internal?: string;
}

/**
 * What each broker failure means to a client: its own cursor or key is wrong (answered with the broker's
 * message), the broker cannot serve it now (retry), or the server itself is misconfigured.
 */
const BROKER_WIRE_CODES: Readonly<Record<BrokerErrorCode, ErrorCode>> = Object.freeze({
  invalid_cursor: 'invalid_cursor',
  idempotency_conflict: 'idempotency_conflict',
  unavailable: 'unavailable',
  closed: 'unavailable',
  epoch_changed: 'unavailable',
  slow_consumer: 'unavailable',
  invalid_url: 'internal',
  unsupported_backend: 'internal',
});

/** Headers a code always travels with: how to authenticate, when to try another stream. */
function headersFor(code: ErrorCode): Record<string, string> | undefined {
  if (code === 'unauthorized') return { 'www-authenticate': 'Bearer realm="ssehub"' };
  if (code === 'too_many_connections') return { 'retry-after': '5' };
  return undefined;
}

function wireError(code: ErrorCode, message: string): WireError {
  const headers = headersFor(code);
  return headers === undefined ? { status: HTTP_STATUS[code], code, message } : { status: HTTP_STATUS[code], code, message, headers };
}

/**
 * Maps anything a route threw to its wire answer: a {@link SsehubError} (protocol, auth, limits) as it
 * is (a {@link MethodNotAllowedError} with its `Allow`), a {@link BrokerError} by its code, anything
 * else `internal` (the caller logs those).
 */
export function toWireError(error: unknown, messages: WireErrorMessages = {}): WireError {
  if (error instanceof MethodNotAllowedError) return { ...wireError(error.code, error.message), headers: { allow: error.allow } };
  if (error instanceof SsehubError) return wireError(error.code, error.message);
  const internal = messages.internal ?? 'internal error';
  if (!(error instanceof BrokerError)) return wireError('internal', internal);
  const code = BROKER_WIRE_CODES[error.code];
  if (code === 'unavailable') return wireError(code, messages.unavailable ?? 'the broker is unavailable; retry shortly');
  if (code === 'internal') return wireError(code, internal);
  return wireError(code, error.message);
}
