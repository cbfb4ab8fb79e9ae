import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { startNats, startNatsCluster, type NatsCluster, type NatsServer } from '@ssehub/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker } from '../src/broker.js';
import { BrokerError } from '../src/errors.js';
import { createNatsBroker, type NatsBrokerOptions } from '../src/nats.js';
import { useBackend } from './helpers/backend-fixture.js';
import { collect, expectEveryAcknowledgedOnce, expectSequence } from '../src/testing/collect.js';
import { numbers, publishNumbered, range } from '../src/testing/numbered.js';
import { publishUntilStopped } from './helpers/publish-load.js';
import { expectOneTotalOrderAcrossProcesses, expectResumeOnAnotherInstance } from './helpers/scenarios.js';
import { uniquePrefix } from '../src/testing/unique-prefix.js';
import { until } from '../src/testing/wait.js';

describe('nats broker beyond the conformance suite', () => {
  const nats = useBackend('natsx', () => startNats(), (server: NatsServer, prefix, options: Partial<NatsBrokerOptions> = {}) =>
    createNatsBroker({ url: server.url, prefix, ...options }),
  );
  let admin: NatsConnection;
  let jsm: JetStreamManager;
  beforeAll(async () => {
    admin = await connect({ servers: nats.server.url });
    jsm = await jetstreamManager(admin);
  });
  afterAll(() => admin?.close());

  it('keeps one total order under publishers in three OS processes', async () => {
    await expectOneTotalOrderAcrossProcesses(await nats.open(), nats.server.url, nats.prefix);
  });

  it('resumes on another broker instance from a cursor the first one issued', async () => {
    const { published, sub } = await expectResumeOnAnotherInstance(await nats.open(), await nats.open());
    expect(sub.events.slice(0, 5)).toEqual(published.slice(5));
  });

  it('answers a repeated idempotency key on another instance with the original events', async () => {
    const a = await nats.open();
    const b = await nats.open();
    const sub = await collect(a, ['rooms/a']);
    const batch = range(0, 3).map((n) => ({ topic: 'rooms/a', type: 'test.n', data: { n } }));
    const first = await a.publish(batch, { idempotencyKey: 'order-17' });
    await until(() => sub.events.length >= 3, 'the first batch');
    const again = await b.publish(batch, { idempotencyKey: 'order-17' });
    expect(again).toEqual(first);
    const single = await a.publish([{ topic: 'rooms/a', type: 'test.n', data: { n: 3 } }], { idempotencyKey: 'order-18' });
    expect(await b.publish([{ topic: 'rooms/a', type: 'test.n', data: { n: 3 } }], { idempotencyKey: 'order-18' })).toEqual(single);
    // Delivery is in order: once the sentinel (4) is in, a second copy of either batch would be too.
    await publishNumbered(b, 'rooms/a', 4, 5);
    await sub.settle(b, 'rooms/a');
    expectSequence(sub.events, range(0, 5));
  });

  it('ends subscriptions when the stream is deleted and resets cursors of the old stream', async () => {
    const b = await nats.open();
    const old = await publishNumbered(b, 'rooms/a', 0, 5);
    const sub = await collect(b, ['rooms/a']);
    await jsm.streams.delete(nats.prefix.toUpperCase());
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
    const b = await nats.open({ historyMaxPerTopic: 5 });
    const quiet = await publishNumbered(b, 'rooms/quiet', 0, 3);
    const busy = await publishNumbered(b, 'rooms/busy', 0, 20);
    const info = await jsm.streams.info(nats.prefix.toUpperCase(), { subjects_filter: `${nats.prefix}.rooms.busy` });
    expect(info.config.max_msgs_per_subject).toBe(5);
    expect(info.state.subjects?.[`${nats.prefix}.rooms.busy`]).toBe(5);
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
    const subscriber = await nats.open({ onRetry: (line) => retries.push(line) });
    const publisher = await nats.open();
    const sub = await collect(subscriber, ['rooms/a']);
    const load = publishUntilStopped(publisher, 'rooms/a');
    await until(() => load.acked.length >= 200, '200 acknowledged events before the crash');
    await nats.server.kill();
    await expect.poll(() => publisher.ping().then(() => 'answered', (error: BrokerError) => error.code), { timeout: 10_000 }).toBe('unavailable');
    const started = Date.now();
    await expect(publisher.publish([{ topic: 'rooms/a', type: 'test.n', data: { n: -1 } }])).rejects.toMatchObject({ code: 'unavailable' });
    expect(Date.now() - started).toBeLessThan(1000);
    await nats.server.restart();
    const ackedAtRestart = load.acked.length;
    await until(() => load.acked.length >= ackedAtRestart + 200, '200 acknowledged events after the restart', 30_000);
    await load.stop();
    await expectEveryAcknowledgedOnce(sub, load.acked);
    // The publish in flight at the crash waited for its timeout; none waited longer.
    expect(load.rejected.length).toBeGreaterThan(0);
    for (const failure of load.rejected) {
      expect(failure.error).toBeInstanceOf(BrokerError);
      expect(failure.ms).toBeLessThan(6000);
    }
    expect(retries.length).toBeGreaterThan(0);
  });
});

describe('nats broker on a 3-node JetStream cluster', () => {
  let cluster: NatsCluster;
  const open: Broker[] = [];
  beforeAll(async () => {
    cluster = await startNatsCluster(3);
  }, 90_000);
  afterAll(async () => {
    await Promise.all(open.splice(0).map((b) => b.close()));
    await cluster?.stop();
  });

  /** Which nodes lead the stream and host the subscriber's live consumer right now. */
  async function placement(prefix: string): Promise<{ streamLeader: NatsServer; feedHost: NatsServer }> {
    const admin = await connect({ servers: cluster.url.slice('nats://'.length).split(',') });
    try {
      const manager = await jetstreamManager(admin);
      const info = await manager.streams.info(prefix.toUpperCase());
      expect(info.config.num_replicas).toBe(3);
      const consumers = await manager.consumers.list(prefix.toUpperCase()).next();
      const feed = consumers.find((consumer) => consumer.config.filter_subject === `${prefix}.>`);
      const node = (name = ''): NatsServer => cluster.nodes[Number(name.slice(1))]!;
      return { streamLeader: node(info.cluster?.leader), feedHost: node(feed?.cluster?.leader) };
    } finally {
      await admin.close();
    }
  }

  it('keeps every acknowledged event, once and in order, through the loss of the live consumer\'s node and of the stream leader', async () => {
    const prefix = uniquePrefix('natsx');
    // Retention far above what is published while the feed is down, so any gap would be a bug.
    const options = { url: `${cluster.url}?replicas=3`, prefix, historyMaxPerTopic: 100_000 };
    const subscriber = await createNatsBroker(options);
    const publisher = await createNatsBroker(options);
    open.push(subscriber, publisher);
    const sub = await collect(subscriber, ['rooms/a']);
    const load = publishUntilStopped(publisher, 'rooms/a');
    await until(() => load.acked.length >= 100, '100 acknowledged events');
    // nats-server 2.9 leaves an R1 consumer on a dead node; the feed must notice the silence and move.
    const { feedHost } = await placement(prefix);
    await feedHost.kill();
    let mark = load.acked.length;
    await until(() => load.acked.length >= mark + 100, '100 acknowledged events without that node', 40_000);
    await feedHost.restart();
    const { streamLeader } = await placement(prefix);
    await streamLeader.kill();
    mark = load.acked.length;
    await until(() => load.acked.length >= mark + 100, '100 acknowledged events under a new leader', 40_000);
    await load.stop();
    await expectEveryAcknowledgedOnce(sub, load.acked, 60_000);
    for (const failure of load.rejected) expect(failure.error).toBeInstanceOf(BrokerError);
    // History written under several leaders replays in full.
    const late = await collect(publisher, ['rooms/a'], load.acked[0]!.id);
    expect(late.resets).toEqual([]);
    await expectEveryAcknowledgedOnce(late, load.acked.slice(1));
    await streamLeader.restart();
  }, 180_000);
});
