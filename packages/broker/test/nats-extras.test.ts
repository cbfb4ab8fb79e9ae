import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { startNats, type NatsServer } from '@ssehub/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Broker, StoredEvent } from '../src/broker.js';
import { BrokerError } from '../src/errors.js';
import { createNatsBroker, type NatsBrokerOptions } from '../src/nats.js';
import {
  buildNatsPublisher,
  collect,
  expectIncreasing,
  numbers,
  publishNumbered,
  range,
  runNode,
  sleep,
  uniquePrefix,
  until,
} from './nats-fixtures.js';

describe('nats broker beyond the conformance suite', () => {
  let nats: NatsServer;
  let admin: NatsConnection;
  let jsm: JetStreamManager;
  const open: Broker[] = [];
  let prefix = uniquePrefix();

  async function broker(options: Partial<NatsBrokerOptions> = {}): Promise<Broker> {
    const created = await createNatsBroker({ url: nats.url, prefix, ...options });
    open.push(created);
    return created;
  }

  beforeAll(async () => {
    nats = await startNats();
    admin = await connect({ servers: nats.url });
    jsm = await jetstreamManager(admin);
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((b) => b.close()));
    prefix = uniquePrefix();
  });
  afterAll(async () => {
    await admin?.close();
    await nats?.stop();
  });

  it('keeps one total order under publishers in three OS processes', async () => {
    const script = await buildNatsPublisher();
    try {
      const b = await broker();
      const sub = await collect(b, ['rooms/race']);
      const perPublisher = 300;
      const names = ['p0', 'p1', 'p2'];
      await Promise.all(names.map((name) => runNode(script.path, [nats.url, prefix, 'rooms/race', name, String(perPublisher)])));
      await until(() => sub.events.length >= perPublisher * names.length, 'every published event');
      await sleep(100);
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
      expect(switches).toBeGreaterThan(2);
    } finally {
      await script.remove();
    }
  });

  it('resumes on another broker instance from a cursor the first one issued', async () => {
    const a = await broker();
    const b = await broker();
    const published = await publishNumbered(a, 'rooms/a', 0, 10);
    const sub = await collect(b, ['rooms/a'], published[4]!.id);
    expect(sub.subscription.resumed).toBe(true);
    await publishNumbered(a, 'rooms/a', 10, 15);
    await until(() => sub.events.length >= 10, '10 events');
    await sleep(100);
    expectIncreasing(sub.events);
    expect(numbers(sub.events)).toEqual(range(5, 15));
    expect(sub.events.slice(0, 5)).toEqual(published.slice(5));
  });

  it('answers a repeated idempotency key on another instance with the original events', async () => {
    const a = await broker();
    const b = await broker();
    const sub = await collect(a, ['rooms/a']);
    const batch = range(0, 3).map((n) => ({ topic: 'rooms/a', type: 'test.n', data: { n } }));
    const first = await a.publish(batch, { idempotencyKey: 'order-17' });
    await sleep(20);
    const again = await b.publish(batch, { idempotencyKey: 'order-17' });
    expect(again).toEqual(first);
    const single = await a.publish([{ topic: 'rooms/a', type: 'test.n', data: { n: 3 } }], { idempotencyKey: 'order-18' });
    expect(await b.publish([{ topic: 'rooms/a', type: 'test.n', data: { n: 3 } }], { idempotencyKey: 'order-18' })).toEqual(single);
    await publishNumbered(b, 'rooms/a', 4, 5);
    await until(() => sub.events.length >= 5, '5 events');
    await sleep(100);
    expectIncreasing(sub.events);
    expect(numbers(sub.events)).toEqual(range(0, 5));
  });

  it('ends subscriptions when the stream is deleted and resets cursors of the old stream', async () => {
    const b = await broker();
    const old = await publishNumbered(b, 'rooms/a', 0, 5);
    const sub = await collect(b, ['rooms/a']);
    await jsm.streams.delete(prefix.toUpperCase());
    await until(() => sub.errors.length > 0, 'the subscription to fail');
    expect(sub.errors[0]).toBeInstanceOf(BrokerError);
    expect((sub.errors[0] as BrokerError).code).toBe('epoch_changed');
    const resumed = await collect(b, ['rooms/a'], old[4]!.id);
    expect(resumed.resets).toEqual(['epoch']);
    const fresh = await publishNumbered(b, 'rooms/a', 5, 8);
    // The recreated stream numbers from 1 again under a new epoch.
    expect(fresh[0]!.seq).toBe(1);
    expect(fresh[0]!.id.split('-')[0]).not.toBe(old[0]!.id.split('-')[0]);
    await until(() => resumed.events.length >= 3, '3 events of the new stream');
    expect(numbers(resumed.events)).toEqual([5, 6, 7]);
  });

  it('keeps historyMaxPerTopic events per topic and flags only the topics that lost some', async () => {
    const b = await broker({ historyMaxPerTopic: 5 });
    const quiet = await publishNumbered(b, 'rooms/quiet', 0, 3);
    const busy = await publishNumbered(b, 'rooms/busy', 0, 20);
    const info = await jsm.streams.info(prefix.toUpperCase(), { subjects_filter: `${prefix}.rooms.busy` });
    expect(info.config.max_msgs_per_subject).toBe(5);
    expect(info.state.subjects?.[`${prefix}.rooms.busy`]).toBe(5);
    expect(numbers((await b.history('rooms/busy', { limit: 100 })).events)).toEqual(range(15, 20));
    const lost = await b.history('rooms/busy', { after: quiet[2]!.id, limit: 100 });
    expect(lost.truncated).toBe(true);
    expect(numbers(lost.events)).toEqual(range(15, 20));
    const kept = await b.history('rooms/quiet', { after: quiet[0]!.id, limit: 100 });
    expect(kept.truncated).toBe(false);
    expect(numbers(kept.events)).toEqual([1, 2]);
    const recent = await b.history('rooms/busy', { after: busy[15]!.id, limit: 100 });
    expect(recent).toMatchObject({ truncated: false });
    expect(numbers(recent.events)).toEqual(range(16, 20));
  });

  it('delivers every acknowledged event once, in order, across a nats-server kill -9 and restart', async () => {
    const retries: string[] = [];
    const subscriber = await broker({ onRetry: (line) => retries.push(line) });
    const publisher = await broker();
    const sub = await collect(subscriber, ['rooms/a']);
    const acked: StoredEvent[] = [];
    const rejected: { n: number; ms: number; error: unknown }[] = [];
    let stop = false;
    const publishing = (async () => {
      for (let n = 0; !stop; n++) {
        const started = Date.now();
        try {
          acked.push(...(await publisher.publish([{ topic: 'rooms/a', type: 'test.n', data: { n } }])));
        } catch (error) {
          rejected.push({ n, ms: Date.now() - started, error });
          await sleep(50);
        }
        await sleep(2);
      }
    })();
    await until(() => acked.length >= 200, '200 acknowledged events before the crash');
    await nats.kill();
    await sleep(1500);
    await expect(publisher.ping()).rejects.toMatchObject({ code: 'unavailable' });
    const started = Date.now();
    await expect(publisher.publish([{ topic: 'rooms/a', type: 'test.n', data: { n: -1 } }])).rejects.toMatchObject({ code: 'unavailable' });
    expect(Date.now() - started).toBeLessThan(1000);
    await nats.restart();
    const ackedAtRestart = acked.length;
    await until(() => acked.length >= ackedAtRestart + 200, '200 acknowledged events after the restart', 30_000);
    stop = true;
    await publishing;
    const lastSeq = acked[acked.length - 1]!.seq;
    await until(() => sub.events.some((event) => event.seq >= lastSeq), 'the last acknowledged event to arrive', 30_000);
    expect(sub.errors).toEqual([]);
    expectIncreasing(sub.events);
    const received = new Map(sub.events.map((event) => [event.seq, event]));
    for (const event of acked) expect(received.get(event.seq)).toEqual(event);
    expect(rejected.length).toBeGreaterThan(0);
    for (const failure of rejected) {
      expect(failure.error).toBeInstanceOf(BrokerError);
      expect(failure.ms).toBeLessThan(6000);
    }
    expect(retries.length).toBeGreaterThan(0);
  });
});
