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

/** Subscribes and records everything the subscription receives. */
export async function collect(broker: Broker, topics: string[], after?: string): Promise<Collected> {
  const events: StoredEvent[] = [];
  const sentinels = new Set<string>();
  const resets: string[] = [];
  const errors: Error[] = [];
  const subscription = await broker.subscribe(
    { topics, after },
    {
      onEvent: (event) => (event.type === SENTINEL_TYPE ? sentinels.add(event.id) : events.push(event)),
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
      const [sentinel] = await publisher.publish([{ topic, type: SENTINEL_TYPE, data: {} }]);
      await until(() => sentinels.has(sentinel!.id), `the sentinel on ${topic}`);
    },
  };
}

/** Asserts strictly increasing positions: no duplicate, no reordering. */
export function expectIncreasing(events: readonly StoredEvent[]): void {
  for (let i = 1; i < events.length; i++) expect(events[i]!.seq).toBeGreaterThan(events[i - 1]!.seq);
}

/** Asserts strictly increasing positions and the exact sequence numbers `n` carried in data. */
export function expectSequence(events: readonly StoredEvent[], expected: number[]): void {
  expectIncreasing(events);
  expect(numbers(events)).toEqual(expected);
}

/** Waits for the last acknowledged event, then asserts the subscription got every one exactly once, in log order, intact. */
export async function expectEveryAcknowledgedOnce(sub: Collected, acked: readonly StoredEvent[], timeoutMs = 30_000): Promise<void> {
  const lastSeq = acked[acked.length - 1]!.seq;
  await until(() => sub.events.some((event) => event.seq >= lastSeq), 'the last acknowledged event to arrive', timeoutMs);
  expect(sub.errors).toEqual([]);
  expectIncreasing(sub.events);
  const received = new Map(sub.events.map((event) => [event.seq, event]));
  for (const event of acked) expect(received.get(event.seq)).toEqual(event);
}
