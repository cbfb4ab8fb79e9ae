/** Every reason a broker operation can fail. */
export type BrokerErrorCode =
  | 'invalid_url'
  | 'unsupported_backend'
  | 'unavailable'
  | 'invalid_cursor'
  | 'epoch_changed'
  | 'idempotency_conflict'
  | 'slow_consumer'
  | 'closed';

/** The one error class of @ssehub/broker. */
export class BrokerError extends Error {
  override readonly name = 'BrokerError';
  constructor(
    readonly code: BrokerErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
