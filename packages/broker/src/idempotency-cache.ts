/** How long an idempotency key is remembered. @default 86400000 (24 h) */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** Most idempotency keys remembered by one in-process cache. @default 100000 */
export const IDEMPOTENCY_MAX_KEYS = 100_000;

/** Remembers what a publish with a given key answered, bounded by age and count. */
export class IdempotencyCache<T> {
  private readonly entries = new Map<string, { value: T; expires: number }>();

  constructor(
    private readonly ttlMs = IDEMPOTENCY_TTL_MS,
    private readonly maxKeys = IDEMPOTENCY_MAX_KEYS,
  ) {}

  get(key: string, now = Date.now()): T | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expires > now) return entry.value;
    this.entries.delete(key);
    return undefined;
  }

  set(key: string, value: T, now = Date.now()): void {
    this.entries.set(key, { value, expires: now + this.ttlMs });
    // Maps iterate in insertion order, so the first key is the oldest.
    if (this.entries.size > this.maxKeys) this.entries.delete(this.entries.keys().next().value!);
  }
}
