import { ErrorBodySchema, SsehubError, type ErrorCode } from '../errors.js';

/** True for an answer that retrying with the same credentials cannot change: 401 and 403. */
export function isRefused(error: unknown): error is SsehubError {
  return error instanceof SsehubError && (error.status === 401 || error.status === 403);
}

/** An error as plain fields, so it crosses a BroadcastChannel whole; `refused` per {@link isRefused}. */
export interface ErrorFields {
  readonly message: string;
  readonly code?: ErrorCode;
  readonly status?: number;
  readonly url?: string;
  readonly refused?: boolean;
}

/** The fields of `error`. */
export function errorFields(error: unknown): ErrorFields {
  const message = error instanceof Error ? error.message : String(error);
  if (!(error instanceof SsehubError)) return { message };
  return { message, code: error.code, status: error.status, url: error.url, refused: isRefused(error) };
}

/** The error `fields` describe: an {@link SsehubError} again when they carry a code. */
export function errorFromFields(fields: ErrorFields): Error {
  if (fields.code === undefined) return new Error(fields.message);
  return new SsehubError(fields.code, fields.message, fields.status, fields.url === undefined ? undefined : { url: fields.url });
}

/**
 * The {@link SsehubError} an error answer stands for: the server's `code` and `message` from its JSON
 * body, the status and the URL. A body that is not ssehub's error shape (a proxy's page) is `internal`.
 */
export async function errorFromResponse(response: Response, url: string): Promise<SsehubError> {
  const body: unknown = await response.json().catch(() => undefined);
  const parsed = ErrorBodySchema.safeParse(body);
  if (parsed.success) return new SsehubError(parsed.data.error.code, parsed.data.error.message, response.status, { url });
  return new SsehubError('internal', `HTTP ${response.status} from ${url}`, response.status, { url });
}

/**
 * A request that got no answer (server down, DNS, TLS) names the URL it went to; it stays a TypeError,
 * so it is still retried. Timeouts and aborts pass through as they are.
 */
export function requestFailed(error: unknown, url: string): unknown {
  if (!(error instanceof TypeError)) return error;
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return new TypeError(`${error.message} (${url})${cause}`, { cause: error });
}

/** Fetches `url`, rejecting with {@link requestFailed} when no answer came. */
export async function fetchOrExplain(doFetch: typeof fetch, url: string, init?: RequestInit): Promise<Response> {
  try {
    return await doFetch(url, init);
  } catch (error) {
    throw requestFailed(error, url);
  }
}
