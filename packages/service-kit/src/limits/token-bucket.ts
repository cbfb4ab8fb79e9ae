/** Options of {@link createRateLimiter}. */
export interface RateLimiterOptions {
  /** Tokens added per second; 0 turns the limiter off. */
  readonly ratePerS: number;
  /** Bucket size: the most a key may spend at once after being idle. */
  readonly burst: number;
  /** Keys remembered; beyond it the least recently used bucket is forgotten. @default 100000 */
  readonly maxKeys?: number;
  readonly now?: () => number;
}

/** A token bucket per key (a token's subject, or an IP for anonymous callers). */
export interface RateLimiter {
  /** Spends `cost` tokens of `key`'s bucket: 0 when allowed, else the whole seconds to wait. */
  take(key: string, cost: number): number;
  /** Whole seconds until `key` could spend `cost` tokens, spending nothing: 0 when it could now. */
  wait(key: string, cost: number): number;
  /** Buckets currently remembered. */
  size(): number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** Creates a per-key token-bucket rate limiter that lives in this process (per node). */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const { ratePerS, burst } = options;
  const maxKeys = options.maxKeys ?? 100_000;
  const now = options.now ?? Date.now;
  // Map order is recency order: a used bucket is re-inserted at the end, the first is the stalest.
  const buckets = new Map<string, Bucket>();
  const tokensAt = (bucket: Bucket | undefined, time: number): number =>
    bucket === undefined ? burst : Math.min(burst, bucket.tokens + ((time - bucket.at) / 1000) * ratePerS);
  const secondsFor = (cost: number, tokens: number): number => Math.max(1, Math.ceil((cost - tokens) / ratePerS));
  return {
    take(key, cost) {
      if (ratePerS === 0) return 0;
      const time = now();
      const bucket = { tokens: tokensAt(buckets.get(key), time), at: time };
      buckets.delete(key);
      buckets.set(key, bucket);
      if (buckets.size > maxKeys) buckets.delete(buckets.keys().next().value as string);
      if (bucket.tokens >= cost) {
        bucket.tokens -= cost;
        return 0;
      }
      return secondsFor(cost, bucket.tokens);
    },
    wait(key, cost) {
      if (ratePerS === 0) return 0;
      const tokens = tokensAt(buckets.get(key), now());
      return tokens >= cost ? 0 : secondsFor(cost, tokens);
    },
    size: () => buckets.size,
  };
}
