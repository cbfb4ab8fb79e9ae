import { encodeCursor } from '@ssehub/protocol';
import type { BackendHooks, Broker, BrokerBackend, RetentionOptions, StoredEvent } from './broker.js';
import { composeBroker } from './compose-broker.js';
import { createPartitionedBroker } from './partitioned-broker.js';
import { epochCreatedAt, newEpoch } from './epoch.js';
import { BrokerError } from './errors.js';
import { IdempotencyCache } from './idempotency-cache.js';
import { mergePages } from './merge-pages.js';
import { createMemoryPresenceStore } from './memory-presence.js';
import { DEFAULT_HISTORY_MAX_AGE_S, DEFAULT_HISTORY_MAX_PER_TOPIC } from './retention-defaults.js';
import { DEFAULT_MEMORY_MAX_BYTES, RingStore } from './ring-store.js';
import type { TopicRing } from './topic-ring.js';

/** Options of {@link createMemoryBroker}. */
export interface MemoryBrokerOptions extends RetentionOptions {
  /** Log epoch; a fresh random one per process by default. */
  readonly epoch?: string;
  /** Estimated bytes of history across all topics; past it the oldest events are evicted. @default 134217728 */
  readonly maxBytes?: number;
}

/** How often expired events and emptied topics are dropped even when nothing is published or read, in ms. @default 60000 */
export const MEMORY_SWEEP_INTERVAL_MS = 60_000;

/** The in-process backend: ring buffers per topic. Exported for the backend conformance suite. */
export function createMemoryBackend(options: MemoryBrokerOptions, hooks: BackendHooks): BrokerBackend {
  const epoch = options.epoch ?? newEpoch();
  const rings = new RingStore({
    maxCount: options.historyMaxPerTopic ?? DEFAULT_HISTORY_MAX_PER_TOPIC,
    maxAgeMs: (options.historyMaxAgeS ?? DEFAULT_HISTORY_MAX_AGE_S) * 1000,
    maxBytes: options.maxBytes ?? DEFAULT_MEMORY_MAX_BYTES,
  });
  const sweeper = setInterval(() => rings.sweep(Date.now()), MEMORY_SWEEP_INTERVAL_MS);
  sweeper.unref();
  const listened = new Set<string>();
  const idempotency = new IdempotencyCache<StoredEvent[]>();
  let seq = 0;
  let closed = false;

  function ring(topic: string): TopicRing | undefined {
    return rings.get(topic, Date.now());
  }

  function assertOpen(): void {
    if (closed) throw new BrokerError('closed', 'the memory broker was closed');
  }

  return {
    kind: 'memory',
    async append(inputs, { idempotencyKey }) {
      assertOpen();
      const earlier = idempotencyKey === undefined ? undefined : idempotency.get(idempotencyKey);
      if (earlier) return earlier;
      const ts = Date.now();
      const events = inputs.map((input): StoredEvent => {
        seq++;
        const id = encodeCursor({ epoch, positions: [seq] });
        return { id, seq, topic: input.topic, type: input.type, data: input.data, ts };
      });
      for (const event of events) rings.push(event);
      if (idempotencyKey !== undefined) idempotency.set(idempotencyKey, events);
      for (const event of events) if (listened.has(event.topic)) hooks.deliver(event);
      return events;
    },
    async read(topics, after, limit) {
      assertOpen();
      const found = topics.map(ring).filter((r): r is TopicRing => r !== undefined);
      // By topic, not by ring: a topic whose ring was dropped still reports what retention took.
      const truncated = topics.some((topic) => rings.trimmedThrough(topic) > after);
      return { events: mergePages(found.map((r) => r.after(after, limit)), limit), truncated };
    },
    async latest(topic, limit) {
      assertOpen();
      return ring(topic)?.latest(limit) ?? [];
    },
    async head() {
      assertOpen();
      return { epoch, seq };
    },
    originOf: epochCreatedAt,
    async listen(topic) {
      assertOpen();
      listened.add(topic);
    },
    async unlisten(topic) {
      listened.delete(topic);
    },
    async signal(signal) {
      assertOpen();
      if (listened.has(signal.topic)) hooks.signal(signal);
    },
    async ping() {
      assertOpen();
    },
    async close() {
      closed = true;
      clearInterval(sweeper);
      rings.clear();
    },
  };
}

/** An in-process broker: one process, ring-buffer history; the embedded default. */
export function createMemoryBroker(options: MemoryBrokerOptions = {}): Broker {
  return composeBroker((hooks) => createMemoryBackend(options, hooks), createMemoryPresenceStore());
}

/**
 * An in-process broker over `partitions` logs, each with its share of `maxBytes`: the partitioned
 * layout with nothing to spread over, for developing against what a partitioned cluster does.
 */
export function createPartitionedMemoryBroker(options: MemoryBrokerOptions, partitions: number): Promise<Broker> {
  const presence = createMemoryPresenceStore();
  const maxBytes = Math.max(1, Math.floor((options.maxBytes ?? DEFAULT_MEMORY_MAX_BYTES) / partitions));
  const logs = Array.from({ length: partitions }, () => composeBroker((hooks) => createMemoryBackend({ ...options, maxBytes }, hooks), presence));
  return createPartitionedBroker('memory', logs, presence);
}
