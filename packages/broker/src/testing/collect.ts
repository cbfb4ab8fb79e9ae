import { expect } from 'vitest';
import type { Broker, StoredEvent, Subscription } from '../../src/broker.js';
import { numbers } from './numbered.js';
import { until } from './wait.js';

/** What one test subscription received. */
export interface Collected {
  events: StoredEvent[];
  resets: string[];
  errors: Error[];
  subscription: Subscription;
  /** Resolves once `count` events arrived, or throws after `timeoutMs` (10 s unless told). */
  waitFor(count: number, timeoutMs?: number): Promise<void>;
}

/** Subscribes and records everything the subscription receives. */
export async function collect(broker: Broker, topics: string[], after?: string): Promise<Collected> {
  const events: StoredEvent[] = [];
  const resets: string[] = [];
  const errors: Error[] = [];
  const subscription = await broker.subscribe(
    { topics, after },
    { onEvent: (event) => events.push(event), onReset: (reason) => resets.push(reason), onError: (e) => errors.push(e) },
  );
  return {
    events,
    resets,
    errors,
    subscription,
    waitFor: (count, timeoutMs = 10_000) => until(() => events.length >= count, `${count} events (have ${events.length})`, timeoutMs),
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
