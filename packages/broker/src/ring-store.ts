import type { StoredEvent } from './broker.js';
import { TopicRing } from './topic-ring.js';

/** Estimated bytes the memory broker may hold across all topics. @default 134217728 (128 MiB) */
export const DEFAULT_MEMORY_MAX_BYTES = 128 * 1024 * 1024;
/** Topics whose emptied ring was dropped and whose trimmed position is still remembered. @default 10000 */
export const FORGOTTEN_TOPICS_REMEMBERED = 10_000;
/** What an event costs besides its JSON: the object, its id, seq and timestamp. @default 160 */
const EVENT_OVERHEAD_BYTES = 160;

/** The memory an event is counted for: its strings and data as JSON, plus a fixed overhead. */
export function eventBytes(event: StoredEvent): number {
  const data = JSON.stringify(event.data) ?? '';
  return EVENT_OVERHEAD_BYTES + 2 * (event.id.length + event.topic.length + event.type.length + data.length);
}

/** Limits of a {@link RingStore}. */
export interface RingStoreLimits {
  readonly maxCount: number;
  readonly maxAgeMs: number;
  /** Estimated bytes of every topic together (see {@link eventBytes}); past it the oldest events go. */
  readonly maxBytes: number;
}

interface Appended {
  readonly topic: string;
  readonly ring: TopicRing;
  readonly seq: number;
  readonly ts: number;
}

/**
 * Every topic's ring of the memory broker, bounded in total: besides each topic's count and age
 * limits, events are evicted oldest first across topics once their estimated size passes
 * `maxBytes`, and a ring left empty is dropped. A dropped topic keeps its trimmed position (or the
 * store-wide one once too many were dropped), so a resume from before it is told "retention", never
 * served a silent gap.
 */
export class RingStore {
  private readonly rings = new Map<string, TopicRing>();
  /** Retained events in append (= seq) order; entries of events retention already dropped are skipped. */
  private order: Appended[] = [];
  private orderStart = 0;
  private bytes = 0;
  private count = 0;
  /** Trimmed positions of dropped rings, oldest drop first. */
  private readonly forgotten = new Map<string, number>();
  /** Highest trimmed position of the dropped rings no longer in {@link forgotten}. */
  private forgottenThrough = 0;
  private readonly onDrop = (event: StoredEvent): void => {
    this.bytes -= eventBytes(event);
    this.count--;
  };

  constructor(private readonly limits: RingStoreLimits) {}

  /** Appends an event, then applies age (across topics) and the total bound. */
  push(event: StoredEvent): void {
    let ring = this.rings.get(event.topic);
    if (!ring) {
      ring = new TopicRing(this.limits.maxCount, this.limits.maxAgeMs, this.onDrop, this.trimmedOfDropped(event.topic));
      this.forgotten.delete(event.topic);
      this.rings.set(event.topic, ring);
    }
    ring.push(event);
    this.bytes += eventBytes(event);
    this.count++;
    this.order.push({ topic: event.topic, ring, seq: event.seq, ts: event.ts });
    this.sweep(event.ts);
    while (this.bytes > this.limits.maxBytes && this.evictOldest());
    this.compactOrder();
  }

  /** The topic's ring with expired events dropped; `undefined` when nothing was ever kept or it was dropped. */
  get(topic: string, now: number): TopicRing | undefined {
    const ring = this.rings.get(topic);
    ring?.expire(now);
    return ring;
  }

  /** Highest position retention dropped from a topic, whether or not its ring is still here. */
  trimmedThrough(topic: string): number {
    return this.rings.get(topic)?.trimmedThrough ?? this.trimmedOfDropped(topic);
  }

  /** Drops the events older than the age limit across topics, and the rings left empty; cheap when there are none. */
  sweep(now: number): void {
    const cutoff = now - this.limits.maxAgeMs;
    for (let entry = this.order[this.orderStart]; entry !== undefined && entry.ts < cutoff; entry = this.order[this.orderStart]) {
      this.orderStart++;
      if (entry.ring.oldest?.seq === entry.seq) entry.ring.dropOldest();
      this.dropIfEmpty(entry);
    }
  }

  /** Estimated bytes and events held. */
  stats(): { bytes: number; events: number; topics: number } {
    return { bytes: this.bytes, events: this.count, topics: this.rings.size };
  }

  clear(): void {
    this.rings.clear();
    this.order = [];
    this.orderStart = 0;
  }

  /** Drops the oldest retained event of any topic; false when there is none. */
  private evictOldest(): boolean {
    for (let entry = this.order[this.orderStart]; entry !== undefined; entry = this.order[this.orderStart]) {
      this.orderStart++;
      if (entry.ring.oldest?.seq !== entry.seq) continue;
      entry.ring.dropOldest();
      this.dropIfEmpty(entry);
      return true;
    }
    return false;
  }

  private dropIfEmpty({ topic, ring }: Appended): void {
    if (ring.size > 0 || this.rings.get(topic) !== ring) return;
    this.rings.delete(topic);
    this.remember(topic, ring.trimmedThrough);
  }

  private remember(topic: string, trimmedThrough: number): void {
    this.forgotten.set(topic, trimmedThrough);
    if (this.forgotten.size <= FORGOTTEN_TOPICS_REMEMBERED) return;
    const [oldest, through] = this.forgotten.entries().next().value as [string, number];
    this.forgotten.delete(oldest);
    this.forgottenThrough = Math.max(this.forgottenThrough, through);
  }

  private trimmedOfDropped(topic: string): number {
    return this.forgotten.get(topic) ?? this.forgottenThrough;
  }

  /** Rebuilds the order queue once most of it is consumed or stale (events retention dropped per topic). */
  private compactOrder(): void {
    const length = this.order.length - this.orderStart;
    if (this.orderStart > 1024 && this.orderStart * 2 > this.order.length) {
      this.order = this.order.slice(this.orderStart);
      this.orderStart = 0;
    } else if (length > 2 * this.count + 1024) {
      this.order = this.order.slice(this.orderStart).filter((entry) => (entry.ring.oldest?.seq ?? Infinity) <= entry.seq);
      this.orderStart = 0;
    }
  }
}
