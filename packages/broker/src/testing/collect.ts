import { decodePartitionCursor } from '@ssehub/protocol';
import { expect } from 'vitest';
import type { Broker, BrokerSubscription, StoredEvent } from '../broker.js';
import { numbers } from './numbered.js';
import { until } from './wait.js';

/** The event type of sentinels: published after what must (not) arrive, never counted among the events. */
export const SENTINEL_TYPE = 'test.sentinel';

/** What one test subscription received. */
export interface Collected {
  /** Every event but sentinels, in the order they arrived. */
  events: StoredEvent[];
  resets: string[];
  errors: Error[];
  subscription: BrokerSubscription;
  /** Resolves once `count` events arrived, or throws after `timeoutMs` (10 s unless told). */
  waitFor(count: number, timeoutMs?: number): Promise<void>;
  /**
   * Publishes a sentinel to `topic` (one of the subscription's) with `publisher` and waits for it. Delivery
   * is in log order, so once it is here everything published before it that was going to arrive has:
   * "the sentinel arrived and nothing else did" proves a negative without sleeping.
   */
  settle(publisher: Broker, topic: string): Promise<void>;
}

let sentinelCount = 0;

/** Subscribes and records everything the subscription receives. */
export async function collect(broker: Broker, topics: string[], after?: string): Promise<Collected> {
  const events: StoredEvent[] = [];
  // By a nonce, not by id: on a partitioned log a stream's ids name all its partitions, the publisher's one.
  const sentinels = new Set<string>();
  const resets: string[] = [];
  const errors: Error[] = [];
  const subscription = await broker.subscribe(
    { topics, after },
    {
      onEvent: (event) => (event.type === SENTINEL_TYPE ? sentinels.add((event.data as { nonce: string }).nonce) : events.push(event)),
      onReset: (reason) => resets.push(reason),
      onError: (e) => errors.push(e),
    },
  );
  return {
    events,
    resets,
    errors,
    subscription,
    waitFor: (count, timeoutMs = 10_000) => until(() => events.length >= count, `${count} events (have ${events.length})`, timeoutMs),
    async settle(publisher, topic) {
      const nonce = `${topic}#${++sentinelCount}`;
      await publisher.publish([{ topic, type: SENTINEL_TYPE, data: { nonce } }]);
      await until(() => sentinels.has(nonce), `the sentinel on ${topic}`);
    },
  };
}

/** True when the events are of a partitioned log: their order holds per topic, not across topics. */
const partitioned = (events: readonly StoredEvent[]): boolean => events.some((event) => decodePartitionCursor(event.id) !== null);

/** The events of each topic, in the order they came. */
function byTopic(events: readonly StoredEvent[]): StoredEvent[][] {
  const topics = new Map<string, StoredEvent[]>();
  for (const event of events) topics.set(event.topic, [...(topics.get(event.topic) ?? []), event]);
  return [...topics.values()];
}

/**
 * Asserts strictly increasing positions: no duplicate, no reordering. Across the whole log, or on a
 * partitioned log per topic (positions of different partitions are unrelated).
 */
export function expectIncreasing(events: readonly StoredEvent[]): void {
  for (const ordered of partitioned(events) ? byTopic(events) : [events]) {
    for (let i = 1; i < ordered.length; i++) expect(ordered[i]!.seq).toBeGreaterThan(ordered[i - 1]!.seq);
  }
}

/**
 * Asserts strictly increasing positions and the exact sequence numbers `n` carried in data, in publish
 * order: across topics on one log, per topic on a partitioned log (each topic's `n`s in the order
 * `expected` lists them, and together exactly `expected`).
 */
export function expectSequence(events: readonly StoredEvent[], expected: number[]): void {
  expectIncreasing(events);
  if (!partitioned(events)) return void expect(numbers(events)).toEqual(expected);
  expect([...numbers(events)].sort((a, b) => a - b)).toEqual([...expected].sort((a, b) => a - b));
  for (const ordered of byTopic(events)) {
    const got = numbers(ordered);
    expect(got).toEqual(expected.filter((n) => got.includes(n)));
  }
}

/** Waits for the last acknowledged event, then asserts the subscription got every one exactly once, in log order, intact. */
export async function expectEveryAcknowledgedOnce(sub: Collected, acked: readonly StoredEvent[], timeoutMs = 30_000): Promise<void> {
  const last = acked[acked.length - 1]!;
  await until(() => sub.events.some((event) => event.topic === last.topic && event.seq >= last.seq), 'the last acknowledged event to arrive', timeoutMs);
  expect(sub.errors).toEqual([]);
  expectIncreasing(sub.events);
  // By topic and position: positions of a partitioned log's partitions are unrelated, and a stream's ids name all its partitions.
  const received = new Map(sub.events.map(({ id: _id, ...event }) => [`${event.topic}@${event.seq}`, event]));
  for (const { id: _id, ...event } of acked) expect(received.get(`${event.topic}@${event.seq}`)).toEqual(event);
}
