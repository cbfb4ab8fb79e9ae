import { startRedis, type RedisServer } from '@ssehub/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker } from '../src/broker.js';
import { BrokerError } from '../src/errors.js';
import { createRedisBroker, type RedisBrokerOptions } from '../src/redis.js';
import { useBackend } from './helpers/backend-fixture.js';
import { collect, expectIncreasing, expectSequence } from './helpers/collect.js';
import { numbers, publishNumbered, publishUntilStopped, range } from './helpers/numbered.js';
import { expectOneTotalOrderAcrossProcesses, expectResumeOnAnotherInstance } from './helpers/scenarios.js';
import { uniquePrefix } from './helpers/unique-prefix.js';
import { until } from './helpers/wait.js';

describe('redis broker beyond the conformance suite', () => {
  const redis = useBackend('extra', () => startRedis(), (server: RedisServer, prefix, options: Partial<RedisBrokerOptions> = {}) =>
    createRedisBroker({ url: server.url, prefix, ...options }),
  );
  let admin: Redis;
  beforeAll(() => {
    admin = new Redis(redis.server.url);
  });
  afterAll(() => admin?.disconnect());

  it('keeps one total order under publishers in three OS processes', async () => {
    await expectOneTotalOrderAcrossProcesses(await redis.open(), redis.server.url, redis.prefix);
  });

  it('resumes on another broker instance from a cursor the first one issued', async () => {
    const { sub } = await expectResumeOnAnotherInstance(await redis.open(), await redis.open());
    expect(sub.resets).toEqual([]);
  });

  it('answers a retried publish on another instance with the original ids, delivered once', async () => {
    const a = await redis.open();
    const b = await redis.open();
    const sub = await collect(b, ['rooms/a']);
    const input = [0, 1].map((n) => ({ topic: 'rooms/a', type: 'test.n', data: { n } }));
    const first = await a.publish(input, { idempotencyKey: 'retry-1' });
    const again = await b.publish(input, { idempotencyKey: 'retry-1' });
    expect(again).toEqual(first);
    // Delivery is in order: once the sentinel (3) is in, a second copy of the retried batch would be too.
    await publishNumbered(b, 'rooms/a', 2, 4);
    await until(() => numbers(sub.events).includes(3), 'the sentinel');
    expectSequence(sub.events, [0, 1, 2, 3]);
  });

  it('ends subscriptions when Redis is flushed and resets old cursors with "epoch"', async () => {
    const a = await redis.open();
    const b = await redis.open();
    const onA = await collect(a, ['rooms/a']);
    const onB = await collect(b, ['rooms/a']);
    const before = await publishNumbered(a, 'rooms/a', 0, 5);
    await until(() => onA.events.length === 5 && onB.events.length === 5, '5 live events before the flush');
    await admin.flushall();
    // The next publish creates a new epoch; both instances notice it on the live feed.
    const after = await publishNumbered(a, 'rooms/a', 5, 6);
    expect(after[0]!.id.split('-')[0]).not.toBe(before[0]!.id.split('-')[0]);
    await until(() => onA.errors.length > 0 && onB.errors.length > 0, 'both subscriptions to fail');
    for (const sub of [onA, onB]) {
      expect((sub.errors[0] as BrokerError).code).toBe('epoch_changed');
      expect(numbers(sub.events)).toEqual(range(0, 5));
    }
    // The same instances keep serving the new log (whose positions start again at 1): old cursors
    // reset, new events flow live. Regression: the core used to drop them as already dispatched.
    const resumed = await collect(b, ['rooms/a'], before[4]!.id);
    expect(resumed.resets).toEqual(['epoch']);
    expect((await a.history('rooms/a', { after: before[2]!.id, limit: 10 })).truncated).toBe(true);
    await publishNumbered(a, 'rooms/a', 6, 9);
    await until(() => resumed.events.length >= 3, '3 events in the new epoch');
    expect(numbers(resumed.events)).toEqual([6, 7, 8]);
    expect(resumed.errors).toEqual([]);
  });

  it('refills the live feed from history when its connection is killed while publishing goes on', async () => {
    const publisher = await redis.open();
    const b = await redis.open();
    const sub = await collect(b, ['rooms/a']);
    await publishNumbered(publisher, 'rooms/a', 0, 50);
    await until(() => sub.events.length >= 50, '50 live events');
    // Only pub/sub connections die, so publishes keep succeeding while the live feed is down.
    const killed = await admin.client('KILL', 'TYPE', 'pubsub');
    expect(Number(killed)).toBeGreaterThan(0);
    await publishNumbered(publisher, 'rooms/a', 50, 300);
    await until(() => sub.events.length >= 300, '300 events');
    // A sentinel after the refill: any duplicate the refill delivered is in before it.
    await publishNumbered(publisher, 'rooms/a', 300, 301);
    await until(() => numbers(sub.events).includes(300), 'the sentinel');
    expectSequence(sub.events, range(0, 301));
    expect(sub.errors).toEqual([]);
  });

  it('ends subscriptions with "epoch_changed" when Redis comes back empty after a restart', async () => {
    const b = await redis.open();
    const sub = await collect(b, ['rooms/a']);
    await publishNumbered(b, 'rooms/a', 0, 3);
    await until(() => sub.events.length >= 3, '3 live events');
    await redis.server.restart(); // no AOF on this server: every key is gone
    await until(() => sub.errors.length > 0, 'the subscription to fail');
    expect((sub.errors[0] as BrokerError).code).toBe('epoch_changed');
    expect(numbers(sub.events)).toEqual([0, 1, 2]);
    const fresh = await collect(b, ['rooms/a']);
    await publishNumbered(b, 'rooms/a', 3, 5);
    await until(() => fresh.events.length >= 2, '2 events in the new epoch');
    expect(numbers(fresh.events)).toEqual([3, 4]);
  });

  it('trims each topic to its count limit without marking other topics truncated', async () => {
    const b = await redis.open({ historyMaxPerTopic: 5 });
    const a = await publishNumbered(b, 'rooms/a', 0, 10);
    const other = await publishNumbered(b, 'rooms/b', 100, 103);
    expect(await admin.xlen(`${redis.prefix}:t:rooms/a`)).toBe(5);
    expect(numbers((await b.history('rooms/a', { limit: 100 })).events)).toEqual(range(5, 10));
    // Trimmed through a[4]: a cursor at a[4] misses nothing, one at a[3] does.
    const atEdge = await collect(b, ['rooms/a', 'rooms/b'], a[4]!.id);
    expect(atEdge.resets).toEqual([]);
    await until(() => atEdge.events.length >= 8, '8 events');
    expect(numbers(atEdge.events)).toEqual([...range(5, 10), 100, 101, 102]);
    const beyond = await collect(b, ['rooms/a'], a[3]!.id);
    expect(beyond.resets).toEqual(['retention']);
    // rooms/b kept everything, so its own history after an early cursor is complete.
    const page = await b.history('rooms/b', { after: a[0]!.id, limit: 10 });
    expect(page.truncated).toBe(false);
    expect(page.events.map((event) => event.id)).toEqual(other.map((event) => event.id));
  });
});

describe('redis broker across a Redis restart (AOF, appendfsync always)', () => {
  let redis: RedisServer;
  const open: Broker[] = [];
  beforeAll(async () => {
    redis = await startRedis({ appendonly: true, appendfsync: 'always' });
  });
  afterAll(async () => {
    await Promise.all(open.splice(0).map((b) => b.close()));
    await redis?.stop();
  });

  it('keeps a subscription through kill -9 and delivers every acknowledged event once, in order', async () => {
    const prefix = uniquePrefix('extra');
    const retries: string[] = [];
    const publisher = await createRedisBroker({ url: redis.url, prefix, onRetry: (line) => retries.push(line) });
    const subscriber = await createRedisBroker({ url: redis.url, prefix });
    open.push(publisher, subscriber);
    const sub = await collect(subscriber, ['rooms/a']);
    const load = publishUntilStopped(publisher, 'rooms/a', { pauseAfterFailureMs: 20 });
    await until(() => load.acked.length >= 100, '100 acknowledged publishes');
    await redis.kill();
    const killedAt = Date.now();
    const ackedBeforeRestart = load.acked.length;
    await until(() => load.rejected.length >= 5 && Date.now() - killedAt > 1000, 'a second of failing publishes');
    await expect(publisher.ping()).rejects.toMatchObject({ code: 'unavailable' });
    await redis.restart();
    await until(() => load.acked.length >= ackedBeforeRestart + 100, '100 more acknowledged publishes after the restart');
    await load.stop();

    const { acked, rejected } = load;
    const allDelivered = (): boolean => {
      const seen = new Set(sub.events.map((event) => event.seq));
      return acked.every((event) => seen.has(event.seq));
    };
    await until(allDelivered, 'every acknowledged event');
    // A sentinel after the load: a late duplicate would arrive before it, so nothing may follow it.
    const [sentinel] = await publisher.publish([{ topic: 'rooms/a', type: 'test.sentinel', data: null }]);
    await until(() => sub.events.some((event) => event.seq >= sentinel!.seq), 'the sentinel');
    expect(sub.events.pop()).toEqual(sentinel);
    expect(sub.errors).toEqual([]);
    expect(sub.resets).toEqual([]);
    expectIncreasing(sub.events);
    const delivered = new Map(sub.events.map((event) => [event.seq, (event.data as { n: number }).n]));
    for (const event of acked) expect(delivered.get(event.seq)).toBe((event.data as { n: number }).n);
    // Anything delivered but never acknowledged was a publish whose reply was lost in the crash.
    const rejectedNumbers = new Set(rejected.map((entry) => entry.n));
    const ackedSeqs = new Set(acked.map((event) => event.seq));
    for (const event of sub.events.filter((e) => !ackedSeqs.has(e.seq))) {
      expect(rejectedNumbers.has((event.data as { n: number }).n)).toBe(true);
    }
    for (const entry of rejected) {
      expect(entry.error).toBeInstanceOf(BrokerError);
      expect((entry.error as BrokerError).code).toBe('unavailable');
      expect(entry.ms).toBeLessThan(1000);
    }
    expect(retries.length).toBeGreaterThan(0);
    for (const line of retries) expect(line).toMatch(/^redis (commands|live) connection to 127\.0\.0\.1:\d+ is down \(attempt \d+: .+\); retrying in \d+ ms$/);
    expect(retries.some((line) => line.includes('ECONNREFUSED'))).toBe(true);
  });
});
