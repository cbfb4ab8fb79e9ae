import { createRateLimiter, type LimitHits } from '@ssehub/service-kit';

/** Presence joins per second per user when the config leaves it out (tests build the config by hand). @default 2 */
export const PRESENCE_RATE_PER_S_DEFAULT = 2;
/** Presence joins a user may make at once after being idle, when the config leaves it out. @default 64 */
export const PRESENCE_BURST_DEFAULT = 64;
/** One client address may join this many times more than one user: several people share an address. @default 10 */
export const PRESENCE_ADDRESS_FACTOR = 10;

/** Options of {@link createPresenceGate}. */
export interface PresenceGateOptions {
  /** Joins per second per user (×{@link PRESENCE_ADDRESS_FACTOR} per address); 0 turns the gate off. */
  readonly ratePerS: number;
  readonly burst: number;
  readonly limitHits: LimitHits;
}

/** Decides whether a stream is counted in presence. */
export interface PresenceGate {
  /** Spends one join per topic from the user's and the address's buckets; false (and a `presence_rate` hit) when either is empty. */
  admit(user: string, address: string, topics: number): boolean;
}

/**
 * Rate-limits presence per user and per client address. A join costs one token per topic and pays
 * for its later leave too (only a joined stream ever leaves). A stream over the rate still opens and
 * gets its events; it is just not counted in presence, so a browser EventSource, which gives up on
 * any non-200 answer, never loses its stream to it.
 */
export function createPresenceGate(options: PresenceGateOptions): PresenceGate {
  const { ratePerS, burst, limitHits } = options;
  const perUser = createRateLimiter({ ratePerS, burst });
  const perAddress = createRateLimiter({ ratePerS: ratePerS * PRESENCE_ADDRESS_FACTOR, burst: burst * PRESENCE_ADDRESS_FACTOR });
  return {
    admit(user, address, topics) {
      if (perAddress.take(address, topics) === 0 && perUser.take(user, topics) === 0) return true;
      limitHits('presence_rate');
      return false;
    },
  };
}
