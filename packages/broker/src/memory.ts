import { encodeCursor } from '@ssehub/protocol';
import type { BackendHooks, Broker, BrokerBackend, RetentionOptions, StoredEvent } from './broker.js';
import { composeBroker } from './compose-broker.js';
import { BrokerError } from './errors.js';
import { IdempotencyCache } from './idempotency-cache.js';
import { mergePages } from './merge-pages.js';
import { createMemoryPresenceStore } from './memory-presence.js';
import { TopicRing } from './topic-ring.js';

/** Options of {@link createMemoryBroker}. */
export interface MemoryBrokerOptions extends RetentionOptions {
  /** Log epoch; a fresh random one per process by default. */
  readonly epoch?: string;
}

/** Events kept per topic unless configured. @default 1000 */
export const DEFAULT_HISTORY_MAX_PER_TOPIC = 1000;
/** Seconds an event is kept unless configured. @default 86400 */
export const DEFAULT_HISTORY_MAX_AGE_S = 86_400;

/** A fresh epoch: base36 time plus randomness, so two processes never share one. */
export function newEpoch(): string {
  return `${Date.now().toString(36)}${Math.floor(Math.random() * 36 ** 4).toString(36)}`;
}

function createMemoryBackend(options: MemoryBrokerOptions, hooks: BackendHooks): BrokerBackend {
  const epoch = options.epoch ?? newEpoch();
  const maxCount = options.historyMaxPerTopic ?? DEFAULT_HISTORY_MAX_PER_TOPIC;
  const maxAgeMs = (options.historyMaxAgeS ?? DEFAULT_HISTORY_MAX_AGE_S) * 1000;
  const rings = new Map<string, TopicRing>();
  const listened = new Set<string>();
  const idempotency = new IdempotencyCache<StoredEvent[]>();
  let seq = 0;
  let closed = false;

  function ring(topic: string): TopicRing | undefined {
    const found = rings.get(topic);
    found?.expire(Date.now());
    return found;
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
      for (const event of events) {
        let topicRing = rings.get(event.topic);
        if (!topicRing) {
          topicRing = new TopicRing(maxCount, maxAgeMs);
          rings.set(event.topic, topicRing);
        }
        topicRing.push(event);
      }
      if (idempotencyKey !== undefined) idempotency.set(idempotencyKey, events);
      for (const event of events) if (listened.has(event.topic)) hooks.deliver(event);
      return events;
    },
    async read(topics, after, limit) {
      assertOpen();
      const found = topics.map(ring).filter((r): r is TopicRing => r !== undefined);
      const truncated = found.some((r) => r.trimmedThrough > after);
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
    async listen(topic) {
      assertOpen();
      listened.add(topic);
    },
    async unlisten(topic) {
      listened.delete(topic);
    },
    async ping() {
      assertOpen();
    },
    async close() {
      closed = true;
      rings.clear();
    },
  };
}

/** An in-process broker: one process, ring-buffer history; the embedded default. */
export function createMemoryBroker(options: MemoryBrokerOptions = {}): Broker {
  return composeBroker((hooks) => createMemoryBackend(options, hooks), createMemoryPresenceStore());
}
