import { decodeAnyCursor, encodePartitionCursor } from '@ssehub/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import type { Broker, BrokerSubscription, RetentionOptions, StoredEvent, SubscriptionListener } from '../broker.js';
import { BrokerError } from '../errors.js';
import { MAX_HELD_LIVE_EVENTS } from '../local-subscriber.js';
import { collect, expectSequence } from './collect.js';
import { publishNumbered, range } from './numbered.js';
import { describePresenceConformance } from './presence-conformance.js';
import { uniquePrefix } from './unique-prefix.js';
import { until } from './wait.js';

/** How a backend's test file hands the suite fresh brokers. */
export interface BrokerConformanceTarget {
  /** Names the describe blocks: `<name> broker conformance`, `<name> broker presence`. */
  readonly name: string;
  /**
   * A broker over a log of its own, named by `prefix` (unique per test): a Redis key prefix, a NATS stream
   * name... Called again with the same prefix, it opens another instance over the same log (another node).
   */
  create(options: RetentionOptions & { prefix: string }): Promise<Broker>;
}

/**
 * The delivery contract (ordering, resume without gap or duplicate at the history/live seam, epoch and
 * retention resets, idempotency, signals) and presence, as vitest suites against one backend. Call it at
 * the top level of a test file; the backend's server must be up before the first test runs.
 */
export function describeBrokerConformance(target: BrokerConformanceTarget): void {
  describePresenceConformance(target.name, target.create);
  describe(`${target.name} broker conformance`, () => {
    const open: Broker[] = [];
    let prefix = '';
    async function broker(options: RetentionOptions = {}): Promise<Broker> {
      prefix = uniquePrefix('conf');
      const created = await target.create({ ...options, prefix });
      open.push(created);
      return created;
    }
    afterEach(async () => {
      await Promise.all(open.splice(0).map((b) => b.close()));
    });

    it('acknowledges each publish with an id that increases', async () => {
      const b = await broker();
      const events = await publishNumbered(b, 'rooms/a', 0, 5);
      const cursors = events.map((event) => decodeAnyCursor(event.id));
      expect(cursors.every((cursor) => cursor !== null)).toBe(true);
      expectSequence(events, range(0, 5));
      // One log: one epoch, or one partitioned log's partition count.
      expect(new Set(cursors.map((parsed) => (parsed!.kind === 'log' ? parsed!.cursor.epoch : `~${parsed!.cursor.partitions}`))).size).toBe(1);
    });

    it('publishes a batch in order', async () => {
      const b = await broker();
      const events = await b.publish(range(0, 10).map((n) => ({ topic: 'rooms/a', type: 'test.n', data: { n } })));
      expectSequence(events, range(0, 10));
    });

    it('delivers live events in id order, each once, under concurrent publishers', async () => {
      const b = await broker();
      const sub = await collect(b, ['rooms/a']);
      const published = (
        await Promise.all(range(0, 100).map((n) => b.publish([{ topic: 'rooms/a', type: 'test.n', data: { n } }])))
      ).flat();
      await sub.waitFor(100);
      const bySeq = [...published].sort((x, y) => x.seq - y.seq).map((event) => (event.data as { n: number }).n);
      expectSequence(sub.events, bySeq);
      expect(new Set(bySeq).size).toBe(100);
    });

    it('delivers two topics on one subscription in publish order and nothing else', async () => {
      const b = await broker();
      const sub = await collect(b, ['rooms/a', 'users/1/notifications']);
      for (const n of range(0, 20)) {
        const topic = ['rooms/a', 'users/1/notifications', 'rooms/other'][n % 3]!;
        await b.publish([{ topic, type: 'test.n', data: { n } }]);
      }
      await sub.settle(b, 'rooms/a');
      expectSequence(sub.events, range(0, 20).filter((n) => n % 3 !== 2));
    });

    it('resumes after a cursor with exactly the missed events, then live', async () => {
      const b = await broker();
      const first = await publishNumbered(b, 'rooms/a', 0, 10);
      const sub = await collect(b, ['rooms/a'], first[4]!.id);
      expect(sub.subscription.resumed).toBe(true);
      await publishNumbered(b, 'rooms/a', 10, 15);
      await sub.settle(b, 'rooms/a');
      expectSequence(sub.events, range(5, 15));
      expect(sub.resets).toEqual([]);
    });

    it('has no gap and no duplicate at the seam while publishing continues', async () => {
      const b = await broker();
      const before = await publishNumbered(b, 'rooms/a', 0, 100);
      const publishing = publishNumbered(b, 'rooms/a', 100, 400);
      const sub = await collect(b, ['rooms/a'], before[49]!.id);
      await publishing;
      await sub.settle(b, 'rooms/a');
      expectSequence(sub.events, range(50, 400));
    });

    it('paces catch-up by the listener: nothing more while it is full, then every event once across the seam', async () => {
      const b = await broker();
      const before = await publishBatches(b, 'rooms/a', 0, 600);
      const events: StoredEvent[] = [];
      let release: (() => void) | undefined;
      const listener: SubscriptionListener = {
        onEvent: (event) => events.push(event),
        // Full after every 7th event; the test decides when there is room again.
        backpressure: () => (events.length % 7 === 0 ? new Promise<void>((resolve) => (release = resolve)) : undefined),
      };
      const subscribing = b.subscribe({ topics: ['rooms/a'], after: before[0]!.id }, listener);
      await until(() => release !== undefined, 'the listener to fill');
      const live = await publishBatches(b, 'rooms/a', 600, 700);
      expect(events).toHaveLength(7);
      const takeRelease = (): (() => void) | undefined => {
        const taken = release;
        release = undefined;
        return taken;
      };
      while (!(await settledOrRelease(subscribing, takeRelease)));
      const sub = await subscribing;
      expect(sub.resumed).toBe(true);
      await until(() => events.length >= 699, `699 events (have ${events.length})`);
      expectSequence(events, range(1, 700));
      expect(live).toHaveLength(100);
      sub.close();
    });

    it('ends a subscriber as a slow consumer when more live events than it may hold arrive while its catch-up waits', async () => {
      const b = await broker();
      const before = await publishBatches(b, 'rooms/a', 0, 3);
      const errors: Error[] = [];
      const listener: SubscriptionListener = {
        onEvent: () => {},
        onError: (error) => errors.push(error),
        backpressure: () => new Promise<void>(() => {}),
      };
      void b.subscribe({ topics: ['rooms/a'], after: before[0]!.id }, listener).catch(() => {});
      await publishBatches(b, 'rooms/a', 3, 3 + MAX_HELD_LIVE_EVENTS + 1);
      await until(() => errors.length > 0, 'the slow-consumer error', 30_000);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ code: 'slow_consumer' });
    });

    it('resumes across topics from one cursor', async () => {
      const b = await broker();
      // The cursor of a stream over both topics (a partitioned log's names the partitions of both).
      const first = await collect(b, ['rooms/a', 'rooms/b']);
      await publishNumbered(b, 'rooms/a', 0, 3);
      await first.waitFor(3);
      first.subscription.close();
      await b.publish([{ topic: 'rooms/b', type: 'test.n', data: { n: 3 } }]);
      await b.publish([{ topic: 'rooms/a', type: 'test.n', data: { n: 4 } }]);
      const sub = await collect(b, ['rooms/a', 'rooms/b'], first.events[0]!.id);
      await sub.waitFor(4);
      expectSequence(sub.events, [1, 2, 3, 4]);
    });

    it('sends reset "epoch" for a cursor of another epoch, then goes live', async () => {
      const b = await broker();
      await publishNumbered(b, 'rooms/a', 0, 3);
      const sub = await collect(b, ['rooms/a'], 'zzzzzz9-2');
      expect(sub.resets).toEqual(['epoch']);
      expect(sub.subscription.resumed).toBe(false);
      await publishNumbered(b, 'rooms/a', 3, 5);
      await sub.waitFor(2);
      expectSequence(sub.events, [3, 4]);
    });

    it('sends reset "epoch" for a cursor beyond the head of the log', async () => {
      const b = await broker();
      const [event] = await publishNumbered(b, 'rooms/a', 0, 1);
      const parsed = decodeAnyCursor(event!.id)!;
      const beyond =
        parsed.kind === 'log'
          ? `${parsed.cursor.epoch}-${parsed.cursor.positions[0]! + 1000}`
          : encodePartitionCursor({ ...parsed.cursor, positions: new Map([...parsed.cursor.positions].map(([index, at]) => [index, at + 1000])) });
      const sub = await collect(b, ['rooms/a'], beyond);
      expect(sub.resets).toEqual(['epoch']);
    });

    it('sends reset "retention" when the cursor is older than retention', async () => {
      const b = await broker({ historyMaxPerTopic: 5 });
      const events = await publishNumbered(b, 'rooms/a', 0, 20);
      const sub = await collect(b, ['rooms/a'], events[0]!.id);
      expect(sub.resets).toEqual(['retention']);
      await publishNumbered(b, 'rooms/a', 20, 22);
      await sub.waitFor(2);
      expectSequence(sub.events, [20, 21]);
    });

    it('resumes without reset when only older events were trimmed', async () => {
      const b = await broker({ historyMaxPerTopic: 5 });
      const events = await publishNumbered(b, 'rooms/a', 0, 20);
      const sub = await collect(b, ['rooms/a'], events[17]!.id);
      await sub.waitFor(2);
      expect(sub.resets).toEqual([]);
      expectSequence(sub.events, [18, 19]);
    });

    it('rejects a cursor it did not issue', async () => {
      const b = await broker();
      await expect(b.subscribe({ topics: ['rooms/a'], after: 'garbage' }, { onEvent: () => {} })).rejects.toBeInstanceOf(
        BrokerError,
      );
      expect(b.stats().subscriptions).toBe(0);
    });

    it('returns the original events for a repeated idempotency key and delivers them once', async () => {
      const b = await broker();
      const sub = await collect(b, ['rooms/a']);
      const input = [{ topic: 'rooms/a', type: 'test.n', data: { n: 0 } }];
      const first = await b.publish(input, { idempotencyKey: `${prefix}-key` });
      const again = await b.publish(input, { idempotencyKey: `${prefix}-key` });
      expect(again.map((event) => event.id)).toEqual(first.map((event) => event.id));
      await publishNumbered(b, 'rooms/a', 1, 2);
      await sub.settle(b, 'rooms/a');
      expectSequence(sub.events, [0, 1]);
    });

    it('answers a retried batch with its original events, appended once', async () => {
      const b = await broker();
      const batch = [0, 1, 2].map((n) => ({ topic: n === 1 ? 'rooms/b' : 'rooms/a', type: 'test.n', data: { n } }));
      const first = await b.publish(batch, { idempotencyKey: `${prefix}-batch` });
      const again = await b.publish(batch, { idempotencyKey: `${prefix}-batch` });
      expect(again.map(({ id, topic, type, data }) => ({ id, topic, type, data }))).toEqual(
        first.map(({ id, topic, type, data }) => ({ id, topic, type, data })),
      );
      await publishNumbered(b, 'rooms/a', 3, 4);
      const page = await b.history('rooms/a', { limit: 10 });
      expectSequence(page.events, [0, 2, 3]);
    });

    it('refuses an idempotency key reused for a different request and appends nothing for it', async () => {
      const b = await broker();
      const key = `${prefix}-reused`;
      const original = [
        { topic: 'rooms/a', type: 'test.n', data: { n: 0 } },
        { topic: 'rooms/a', type: 'test.n', data: { n: 1 } },
      ];
      await b.publish(original, { idempotencyKey: key });
      const reuses = [
        [{ ...original[0]!, data: { n: 9 } }, original[1]!],
        [original[0]!, { ...original[1]!, type: 'test.other' }],
        [original[0]!, { ...original[1]!, topic: 'rooms/b' }],
        [original[0]!],
        [...original, { topic: 'rooms/a', type: 'test.n', data: { n: 2 } }],
      ];
      for (const reuse of reuses) {
        await expect(b.publish(reuse, { idempotencyKey: key })).rejects.toMatchObject({ code: 'idempotency_conflict' });
      }
      await publishNumbered(b, 'rooms/a', 2, 3);
      expectSequence((await b.history('rooms/a', { limit: 10 })).events, [0, 1, 2]);
      expect((await b.history('rooms/b', { limit: 10 })).events).toEqual([]);
    });

    it('serves the latest history and history after a cursor', async () => {
      const b = await broker();
      const events = await publishNumbered(b, 'rooms/a', 0, 10);
      await publishNumbered(b, 'rooms/b', 100, 102);
      const latest = await b.history('rooms/a', { limit: 3 });
      expectSequence(latest.events, [7, 8, 9]);
      const after = await b.history('rooms/a', { after: events[5]!.id, limit: 100 });
      expectSequence(after.events, [6, 7, 8, 9]);
      expect(after.truncated).toBe(false);
      expect((await b.history('rooms/none', { limit: 10 })).events).toEqual([]);
    });

    it('marks history after a cursor of another epoch as truncated', async () => {
      const b = await broker();
      await publishNumbered(b, 'rooms/a', 0, 3);
      const page = await b.history('rooms/a', { after: 'zzzzzz9-1', limit: 10 });
      expect(page.truncated).toBe(true);
      expectSequence(page.events, [0, 1, 2]);
    });

    it('drops events older than the age limit', async () => {
      const b = await broker({ historyMaxAgeS: 1 });
      const old = await publishNumbered(b, 'rooms/a', 0, 3);
      await new Promise((resolve) => setTimeout(resolve, 2500));
      await publishNumbered(b, 'rooms/a', 3, 4);
      const page = await b.history('rooms/a', { limit: 10 });
      expectSequence(page.events, [3]);
      const sub = await collect(b, ['rooms/a'], old[0]!.id);
      expect(sub.resets).toEqual(['retention']);
    });

    it('shares one backend subscription among the local subscribers of a topic', async () => {
      const b = await broker();
      const subs = await Promise.all(range(0, 200).map(() => collect(b, ['rooms/a'])));
      expect(b.stats()).toEqual({ topics: 1, subscriptions: 200 });
      await publishNumbered(b, 'rooms/a', 0, 3);
      await Promise.all(subs.map((sub) => sub.waitFor(3)));
      for (const sub of subs) expectSequence(sub.events, [0, 1, 2]);
      for (const sub of subs) sub.subscription.close();
      expect(b.stats()).toEqual({ topics: 0, subscriptions: 0 });
    });

    it('stops delivering after a subscription is closed', async () => {
      const b = await broker();
      const closed = await collect(b, ['rooms/a']);
      const open = await collect(b, ['rooms/a']);
      closed.subscription.close();
      await publishNumbered(b, 'rooms/a', 0, 3);
      await open.waitFor(3);
      expect(closed.events).toEqual([]);
    });

    /** Another instance over the same log; the memory broker has no other than itself. */
    async function peerOf(b: Broker): Promise<Broker> {
      if (b.kind === 'memory') return b;
      const created = await target.create({ prefix });
      open.push(created);
      return created;
    }

    it('hands a signal to live subscribers on every node without storing it or moving the cursor', async () => {
      const a = await broker();
      const b = await peerOf(a);
      const received: string[] = [];
      const seen = (entry: string) => () => received.includes(entry);
      await b.subscribe(
        { topics: ['rooms/a'] },
        {
          onEvent: (event) => received.push(`event ${(event.data as { n: number }).n}`),
          onSignal: (signal) => received.push(`signal ${(signal.data as { n: number }).n} ${'id' in signal}`),
        },
      );
      const [first] = await publishNumbered(a, 'rooms/a', 0, 1);
      await until(seen('event 0'), 'the sentinel before the signal');
      await a.signal({ topic: 'rooms/a', type: 'test.signal', data: { n: 1 } });
      await until(seen('signal 1 false'), 'the signal');
      const [second] = await publishNumbered(a, 'rooms/a', 1, 2);
      await until(seen('event 1'), 'the sentinel after the signal');
      expect(received).toEqual(['event 0', 'signal 1 false', 'event 1']);
      // Nothing was appended for the signal: the next event is the next position, history holds the events only.
      expect(second!.seq).toBe(first!.seq + 1);
      expectSequence((await a.history('rooms/a', { limit: 10 })).events, [0, 1]);
      const resumed = await collect(b, ['rooms/a'], first!.id);
      await publishNumbered(a, 'rooms/a', 2, 3);
      await resumed.waitFor(2);
      expectSequence(resumed.events, [1, 2]);
    });

    it('hands a signal only to subscribers of its topic', async () => {
      const b = await broker();
      const other: string[] = [];
      await b.subscribe({ topics: ['rooms/b'] }, { onEvent: () => {}, onSignal: (signal) => other.push(signal.type) });
      const sub = await collect(b, ['rooms/b']);
      await b.signal({ topic: 'rooms/a', type: 'test.elsewhere', data: {} });
      await b.signal({ topic: 'rooms/b', type: 'test.here', data: {} });
      await publishNumbered(b, 'rooms/b', 0, 1);
      await until(() => other.length > 0 && sub.events.length > 0, 'the signal and the sentinel');
      expect(other).toEqual(['test.here']);
    });

    it('answers ping while open', async () => {
      const b = await broker();
      await expect(b.ping()).resolves.toBeUndefined();
    });
  });
}

/** Publishes `{ n }` for n in [from, to), a hundred per batch. */
async function publishBatches(broker: Broker, topic: string, from: number, to: number): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  for (let start = from; start < to; start += 100) {
    out.push(...(await broker.publish(range(start, Math.min(to, start + 100)).map((n) => ({ topic, type: 'test.n', data: { n } })))));
  }
  return out;
}

/** True once `subscribing` settled; else gives the listener room (when it waits for some) and answers false. */
async function settledOrRelease(subscribing: Promise<BrokerSubscription>, takeRelease: () => (() => void) | undefined): Promise<boolean> {
  const settled = await Promise.race([subscribing.then(() => true), new Promise<false>((resolve) => setImmediate(() => resolve(false)))]);
  if (!settled) takeRelease()?.();
  return settled;
}
