import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { createRateLimiter, type LimitHits, type Logger } from '@ssehub/service-kit';

/** Wrong admin tokens one client address may send in a row before it is answered 429. @default 10 */
export const ADMIN_AUTH_FAILURE_BURST = 10;
/** Wrong admin tokens per minute one client address may send once its burst is spent. @default 6 */
export const ADMIN_AUTH_FAILURES_PER_MIN = 6;

/** What an admin request's credentials amount to; `retryAfterS` when its address guessed too often. */
export type AdminAccess = 'granted' | 'disabled' | 'missing' | 'wrong' | { readonly retryAfterS: number };

/** Options of {@link createAdminAuth}. */
export interface AdminAuthOptions {
  /** The bearer token of the admin API; unset turns it off. */
  readonly adminToken: string | undefined;
  /** The address a request counts against (service-kit's `clientIp`, IPv6 grouped). */
  readonly clientKey: (req: IncomingMessage) => string;
  readonly limitHits: LimitHits;
  readonly logger: Logger;
  readonly now?: () => number;
}

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/**
 * Checks `Authorization: Bearer <ADMIN_TOKEN>`. The comparison takes the same time whatever the guess,
 * and wrong guesses are limited per client address: once its burst is spent, an address is answered
 * 429 before its token is even looked at, so guessing goes no faster than the refill.
 */
export function createAdminAuth(options: AdminAuthOptions): (req: IncomingMessage) => AdminAccess {
  const { adminToken, logger, limitHits } = options;
  const expected = adminToken ? digest(adminToken) : undefined;
  const failures = createRateLimiter({
    ratePerS: ADMIN_AUTH_FAILURES_PER_MIN / 60,
    burst: ADMIN_AUTH_FAILURE_BURST,
    maxKeys: 10_000,
    ...(options.now ? { now: options.now } : {}),
  });
  return (req) => {
    if (expected === undefined) return 'disabled';
    const client = options.clientKey(req);
    const waiting = failures.wait(client, 1);
    if (waiting > 0) {
      limitHits('admin_auth');
      return { retryAfterS: waiting };
    }
    const match = /^Bearer +(\S+) *$/i.exec(req.headers.authorization ?? '');
    if (!match) return 'missing';
    if (timingSafeEqual(digest(match[1]!), expected)) return 'granted';
    const retryAfterS = failures.take(client, 1);
    logger.warn({ client, limited: retryAfterS > 0 }, 'wrong admin token');
    if (retryAfterS === 0) return 'wrong';
    limitHits('admin_auth');
    return { retryAfterS };
  };
}
