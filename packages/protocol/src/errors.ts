import { z } from 'zod';

/** Every error code an ssehub API can answer with. */
export const ERROR_CODES = [
  'bad_request',
  'invalid_topic',
  'invalid_event',
  'invalid_cursor',
  'unauthorized',
  'forbidden',
  'not_found',
  'method_not_allowed',
  'not_acceptable',
  'payload_too_large',
  'headers_too_large',
  'unsupported_media_type',
  'request_timeout',
  'idempotency_conflict',
  'rate_limited',
  'too_many_connections',
  'unavailable',
  'internal',
] as const;

/** A wire error code. */
export const ErrorCodeSchema = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCodeSchema>;

/** The body of every error response: `{error: {code, message}}`. */
export const ErrorBodySchema = z.object({
  error: z.object({
    code: ErrorCodeSchema,
    message: z.string(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

/** Builds an error body. */
export function errorBody(code: ErrorCode, message: string): ErrorBody {
  return { error: { code, message } };
}

/** An error an ssehub API answered with, or a protocol rule a value broke. */
export class SsehubError extends Error {
  override readonly name = 'SsehubError';
  /** The URL that answered with it, when it came from a server. */
  readonly url: string | undefined;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly status?: number,
    options?: { cause?: unknown; url?: string },
  ) {
    super(message, options);
    this.url = options?.url;
  }
}
