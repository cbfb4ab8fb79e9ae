import { expect } from 'vitest';
import type { Broker, StoredEvent } from '../../src/broker.js';
import { collect, expectIncreasing, expectSequence, type Collected } from '../../src/testing/collect.js';
import { publishNumbered, range } from '../../src/testing/numbered.js';
import { buildPublisherScript, runOnBarrier, spawnPublisher } from './publisher-processes.js';
import { until } from '../../src/testing/wait.js';

// Scenarios the Redis and NATS extras both run; each test file adds the assertions only its backend can make.

/** Publishes 500 events from each of three OS processes and asserts `broker` delivered them all once, in one interleaved total order. */
export async function expectOneTotalOrderAcrossProcesses(broker: Broker, url: string, prefix: string): Promise<void> {
  const script = await buildPublisherScript();
  try {
    const sub = await collect(broker, ['rooms/race']);
    const perPublisher = 500;
    const names = ['p0', 'p1', 'p2'];
    await runOnBarrier(names.map((name) => spawnPublisher(script.path, [url, prefix, 'rooms/race', name, String(perPublisher)])));
    await until(() => sub.events.length >= perPublisher * names.length, 'every published event');
    await sub.settle(broker, 'rooms/race');
    expectIncreasing(sub.events);
    expect(sub.events).toHaveLength(perPublisher * names.length);
    const seen = sub.events.map((event) => event.data as { publisher: string; n: number });
    expect(new Set(seen.map(({ publisher, n }) => `${publisher}/${n}`)).size).toBe(perPublisher * names.length);
    for (const name of names) {
      const mine = seen.filter((entry) => entry.publisher === name).map((entry) => entry.n);
      expect([...mine].sort((x, y) => x - y)).toEqual(range(0, perPublisher));
    }
    // The processes really interleaved: the log is not three runs one after another.
    const switches = seen.filter((entry, i) => i > 0 && entry.publisher !== seen[i - 1]!.publisher).length;
    expect(switches).toBeGreaterThan(10);
  } finally {
    await script.remove();
  }
}

/** Publishes 0-9 on `a`, resumes on `b` after event 4, publishes 10-14 on `a`, and asserts `b` got exactly 5-14. */
export async function expectResumeOnAnotherInstance(a: Broker, b: Broker): Promise<{ published: StoredEvent[]; sub: Collected }> {
  const published = await publishNumbered(a, 'rooms/a', 0, 10);
  const sub = await collect(b, ['rooms/a'], published[4]!.id);
  expect(sub.subscription.resumed).toBe(true);
  await publishNumbered(a, 'rooms/a', 10, 15);
  await sub.settle(a, 'rooms/a');
  expectSequence(sub.events, range(5, 15));
  return { published, sub };
}
