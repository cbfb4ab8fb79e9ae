import { SsehubError, type StoredEnvelope } from '@ssehub/protocol';
import { createConnectionLimiter, type LimitHits } from '@ssehub/service-kit';
import type { ClientAddress } from './access.js';
import type { RequestHandler } from 'express';

/** Seconds a client refused for too many history reads is told to wait. @default 1 */
export const HISTORY_RETRY_AFTER_S = 1;

/** A history page cut to the response size. */
export interface CappedPage {
  readonly events: StoredEnvelope[];
  /** The cursor to continue after, when events were left out. */
  readonly next?: string;
}

/**
 * The leading events whose JSON fits in `maxBytes`, and the cursor to continue after when some did
 * not fit. A page holds at least one event, however large, so a reader always gets further.
 */
export function capPage(events: readonly StoredEnvelope[], maxBytes: number): CappedPage {
  let bytes = 0;
  for (let index = 0; index < events.length; index++) {
    bytes += Buffer.byteLength(JSON.stringify(events[index])) + 1;
    if (bytes > maxBytes && index > 0) return { events: events.slice(0, index), next: events[index - 1]!.id };
  }
  return { events: [...events] };
}

/** Options of {@link historyReadLimit}. */
export interface HistoryReadLimitOptions {
  /** Reads one client address may have in progress (0 = no limit). */
  readonly perIp: number;
  readonly clientAddress: ClientAddress;
  readonly limitHits: LimitHits;
}

/**
 * Lets each client address hold only `perIp` history reads at once, from the request until its answer
 * was sent or its connection closed: an answer nobody reads stays in memory, so a client that stops
 * reading may hold at most `perIp` capped pages. Beyond that, 429 with `Retry-After`.
 */
export function historyReadLimit(options: HistoryReadLimitOptions): RequestHandler {
  const limiter = createConnectionLimiter({ perUser: 0, perIp: options.perIp });
  return (req, res, next) => {
    const slot = limiter.acquire(options.clientAddress(req), undefined);
    if (typeof slot === 'string') {
      options.limitHits('history_concurrency');
      res.setHeader('retry-after', String(HISTORY_RETRY_AFTER_S));
      throw new SsehubError('rate_limited', `at most ${options.perIp} history reads at once per client address; finish reading those first`);
    }
    res.on('close', () => slot.release());
    next();
  };
}
