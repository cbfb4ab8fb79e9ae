import type { StoredEvent } from './broker.js';

/** One topic's retained history in memory, trimmed by count and age, oldest first. */
export class TopicRing {
  private events: StoredEvent[] = [];
  private start = 0;
  /** Highest position ever dropped from this topic by retention (or forgotten before this ring). */
  trimmedThrough: number;

  constructor(
    private readonly maxCount: number,
    private readonly maxAgeMs: number,
    /** Called with each event retention drops, so a store can keep its totals. */
    private readonly onDrop: (event: StoredEvent) => void = () => {},
    trimmedThrough = 0,
  ) {
    this.trimmedThrough = trimmedThrough;
  }

  push(event: StoredEvent): void {
    this.events.push(event);
    if (this.events.length - this.start > this.maxCount) this.dropOldest();
  }

  /** Drops events older than the age limit. */
  expire(now: number): void {
    const cutoff = now - this.maxAgeMs;
    while (this.start < this.events.length && this.events[this.start]!.ts < cutoff) this.dropOldest();
  }

  /** The oldest retained event. */
  get oldest(): StoredEvent | undefined {
    return this.events[this.start];
  }

  /** Retained events with seq > after, oldest first, at most `limit`. */
  after(after: number, limit: number): StoredEvent[] {
    let low = this.start;
    let high = this.events.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.events[middle]!.seq <= after) low = middle + 1;
      else high = middle;
    }
    return this.events.slice(low, low + limit);
  }

  latest(limit: number): StoredEvent[] {
    return this.events.slice(Math.max(this.start, this.events.length - limit));
  }

  get size(): number {
    return this.events.length - this.start;
  }

  /** Drops the oldest retained event (retention, or a store over its total bound). */
  dropOldest(): void {
    const dropped = this.events[this.start]!;
    this.trimmedThrough = dropped.seq;
    this.events[this.start] = undefined as unknown as StoredEvent;
    this.start++;
    this.onDrop(dropped);
    // Compact now and then instead of shifting the array on every drop.
    if (this.start > 1024 && this.start * 2 > this.events.length) {
      this.events = this.events.slice(this.start);
      this.start = 0;
    }
  }
}
