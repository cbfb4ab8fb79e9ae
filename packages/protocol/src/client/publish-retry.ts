import { SsehubError } from '../errors.js';

/** How a publish is retried. */
export interface RetryOptions {
  /** Attempts in all, the first included. @default 5 */
  readonly attempts?: number;
  /** Delay before the first retry; doubled after each, with jitter. @default 200 */
  readonly baseDelayMs?: number;
  /** Longest delay between attempts (a `Retry-After` may ask for more, up to 30 s). @default 5000 */
  readonly maxDelayMs?: number;
  /** An attempt without an answer after this long is abandoned and retried. @default 10000 */
  readonly timeoutMs?: number;
}

/** Statuses that say "try again later": rate limited, or the service or its broker is away. */
const RETRYABLE_STATUSES = new Set([429, 502, 503, 504]);
/** Longest `Retry-After` honoured. @default 30000 */
const MAX_RETRY_AFTER_MS = 30_000;

const retryAfterOf = new WeakMap<object, number>();

/** Remembers the `Retry-After` a failed response carried, for the retry loop to honour. */
export function noteRetryAfter(error: SsehubError, header: string | null): void {
  const seconds = header === null ? Number.NaN : Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) retryAfterOf.set(error, Math.min(seconds * 1000, MAX_RETRY_AFTER_MS));
}

/** True for failures a retry can cure: the network, a timeout, 429 and 502-504. Never other 4xx. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof SsehubError) return error.status !== undefined && RETRYABLE_STATUSES.has(error.status);
  // fetch rejects with a TypeError when the network fails, and with a DOMException on a timeout.
  return error instanceof TypeError || (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'));
}

function backoff(retry: number, options: RetryOptions, error: unknown): number {
  const base = options.baseDelayMs ?? 200;
  const exponential = Math.min(options.maxDelayMs ?? 5000, base * 2 ** (retry - 1));
  const jittered = exponential * (0.5 + Math.random() / 2);
  const asked = typeof error === 'object' && error !== null ? retryAfterOf.get(error) : undefined;
  return Math.max(jittered, asked ?? 0);
}

/**
 * Runs `attempt` until it succeeds, fails for good, or runs out of attempts. Each attempt gets a signal
 * that aborts after `timeoutMs`. The caller makes attempts repeatable (the same Idempotency-Key).
 */
export async function withRetries<T>(attempt: (signal: AbortSignal) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = Math.max(1, options.attempts ?? 5);
  for (let n = 1; ; n++) {
    try {
      return await attempt(AbortSignal.timeout(options.timeoutMs ?? 10_000));
    } catch (error) {
      if (n >= attempts || !isRetryable(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, backoff(n, options, error)));
    }
  }
}
