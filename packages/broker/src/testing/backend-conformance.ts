import { decodeCursor } from '@ssehub/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import type { BackendHooks, BrokerBackend, LiveSignal, RetentionOptions, StoredEvent } from '../broker.js';
import { expectSequence } from './collect.js';
import { range } from './numbered.js';
import { uniquePrefix } from './unique-prefix.js';
import { until } from './wait.js';

/** How a backend's test file hands the suite fresh backends. */
export interface BackendConformanceTarget {
  /** Names the describe block: `<name> backend conformance`. */
  readonly name: string;
  /** A backend over a log of its own, named by `prefix` (unique per test), reporting to `hooks`. */
  create(hooks: BackendHooks, options: RetentionOptions & { prefix: string }): Promise<BrokerBackend>;
}

/** What a backend handed the core, recorded. */
interface RecordedHooks extends BackendHooks {
  readonly delivered: StoredEvent[];
  readonly signals: LiveSignal[];
  readonly failures: Error[];
}

function recordingHooks(): RecordedHooks {
  const delivered: StoredEvent[] = [];
  const signals: LiveSignal[] = [];
  const failures: Error[] = [];
  return {
    delivered,
    signals,
    failures,
    deliver: (event) => delivered.push(event),
    signal: (signal) => signals.push(signal),
    resync: async () => {},
    fail: (error) => failures.push(error),
  };
}

const numbered = (topic: string, from: number, to: number) => range(from, to).map((n) => ({ topic, type: 'test.n', data: { n } }));

/**
 * The contract of a {@link BrokerBackend} on its own (docs/ARCHITECTURE.md): positions, paged reads, the
 * latest page, retention reporting, idempotent appends, live delivery and signals. A backend that passes it
 * is turned into a `Broker` by `composeBroker`; run `describeBrokerConformance` on that as well.
 */
export function describeBackendConformance(target: BackendConformanceTarget): void {
  describe(`${target.name} backend conformance`, () => {
    const open: BrokerBackend[] = [];
    afterEach(async () => {
      await Promise.all(open.splice(0).map((backend) => backend.close()));
    });
    async function backend(options: RetentionOptions = {}): Promise<{ backend: BrokerBackend; hooks: RecordedHooks }> {
      const hooks = recordingHooks();
      const created = await target.create(hooks, { ...options, prefix: uniquePrefix('back') });
      open.push(created);
      return { backend: created, hooks };
    }

    it('numbers appended events after the head, in order, with ids of its epoch', async () => {
      const { backend: b } = await backend();
      const before = await b.head();
      const events = await b.append(numbered('rooms/a', 0, 3), {});
      expect(events.map((event) => event.seq)).toEqual([1, 2, 3].map((k) => before.seq + k));
      expect(events.map((event) => decodeCursor(event.id))).toEqual(events.map((event) => ({ epoch: before.epoch, positions: [event.seq] })));
      expect(events.map(({ topic, type, data }) => ({ topic, type, data }))).toEqual(numbered('rooms/a', 0, 3));
      expect(await b.head()).toEqual({ epoch: before.epoch, seq: before.seq + 3 });
    });

    it('reads the events of the given topics after a position, oldest first, at most `limit`', async () => {
      const { backend: b } = await backend();
      const start = (await b.head()).seq;
      for (const n of range(0, 9)) await b.append([{ topic: ['rooms/a', 'rooms/b', 'rooms/c'][n % 3]!, type: 'test.n', data: { n } }], {});
      const both = await b.read(['rooms/a', 'rooms/b'], start, 100);
      expect(both.truncated).toBe(false);
      expectSequence(both.events, [0, 1, 3, 4, 6, 7]);
      expectSequence((await b.read(['rooms/a', 'rooms/b'], start + 4, 100)).events, [4, 6, 7]);
      expectSequence((await b.read(['rooms/a', 'rooms/b'], start, 3)).events, [0, 1, 3]);
      expect((await b.read(['rooms/none'], start, 100)).events).toEqual([]);
    });

    it('answers the latest events of one topic, oldest first', async () => {
      const { backend: b } = await backend();
      await b.append([...numbered('rooms/a', 0, 5), ...numbered('rooms/b', 5, 6)], {});
      expectSequence(await b.latest('rooms/a', 2), [3, 4]);
      expectSequence(await b.latest('rooms/a', 100), [0, 1, 2, 3, 4]);
      expect(await b.latest('rooms/none', 10)).toEqual([]);
    });

    it('reports a read as truncated when retention dropped events after its position', async () => {
      const { backend: b } = await backend({ historyMaxPerTopic: 5 });
      const start = (await b.head()).seq;
      const events: StoredEvent[] = [];
      for (const n of range(0, 20)) events.push(...(await b.append(numbered('rooms/a', n, n + 1), {})));
      const fromStart = await b.read(['rooms/a'], start, 100);
      expect(fromStart.truncated).toBe(true);
      expectSequence(fromStart.events, range(15, 20));
      const recent = await b.read(['rooms/a'], events[16]!.seq, 100);
      expect(recent.truncated).toBe(false);
      expectSequence(recent.events, [17, 18, 19]);
    });

    it('answers a repeated idempotency key with the original events, appending nothing', async () => {
      const { backend: b } = await backend();
      const first = await b.append(numbered('rooms/a', 0, 2), { idempotencyKey: 'key-1' });
      const head = await b.head();
      const again = await b.append(numbered('rooms/a', 0, 2), { idempotencyKey: 'key-1' });
      expect(again.map((event) => event.id)).toEqual(first.map((event) => event.id));
      expect(await b.head()).toEqual(head);
    });

    it('hands the appended events of a listened topic to `deliver`, in log order', async () => {
      const { backend: b, hooks } = await backend();
      await b.listen('rooms/a');
      const appended: StoredEvent[] = [];
      for (const n of range(0, 10)) appended.push(...(await b.append(numbered(n % 2 === 0 ? 'rooms/a' : 'rooms/b', n, n + 1), {})));
      const last = appended.filter((event) => event.topic === 'rooms/a').at(-1)!;
      await until(() => hooks.delivered.some((event) => event.seq === last.seq), 'the last event of rooms/a');
      const ofA = hooks.delivered.filter((event) => event.topic === 'rooms/a');
      expectSequence(ofA, [0, 2, 4, 6, 8]);
      expect(ofA).toEqual(appended.filter((event) => event.topic === 'rooms/a'));
      expect(hooks.failures).toEqual([]);
    });

    it('hands a signal of a listened topic to `signal`, outside the log', async () => {
      const { backend: b, hooks } = await backend();
      await b.listen('rooms/a');
      const head = await b.head();
      await b.signal({ topic: 'rooms/a', type: 'test.signal', data: { n: 1 }, ts: 1 });
      await until(() => hooks.signals.length > 0, 'the signal');
      expect(hooks.signals).toEqual([{ topic: 'rooms/a', type: 'test.signal', data: { n: 1 }, ts: 1 }]);
      expect(await b.head()).toEqual(head);
      expect(await b.latest('rooms/a', 10)).toEqual([]);
    });

    it('answers ping while open', async () => {
      const { backend: b } = await backend();
      await expect(b.ping()).resolves.toBeUndefined();
    });
  });
}
