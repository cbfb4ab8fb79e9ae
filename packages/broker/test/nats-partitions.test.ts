import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { createBroker } from '@ssehub/broker';
import { describeBrokerConformance, describePartitionConformance } from '@ssehub/broker/testing';
import { partitionOf } from '@ssehub/protocol';
import { startNatsCluster, until, type NatsCluster } from '@ssehub/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Broker, PartitionLog } from '../src/broker.js';
import { createNatsPartitionLogs } from '../src/nats.js';
import { collect, expectSequence } from '../src/testing/collect.js';
import { publishNumbered, range } from '../src/testing/numbered.js';
import { topicsInDistinctPartitions } from '../src/testing/partition-conformance.js';
import { uniquePrefix } from '../src/testing/unique-prefix.js';

const PARTITIONS = 4;

// One 3-node cluster for the file; every stream replicated on every node (R3).
let cluster: NatsCluster;
let admin: NatsConnection;
let jsm: JetStreamManager;
beforeAll(async () => {
  cluster = await startNatsCluster({ nodes: 3 });
  admin = await connect({ servers: cluster.url.slice('nats://'.length).split(',') });
  jsm = await jetstreamManager(admin);
}, 90_000);
afterAll(async () => {
  await admin?.close();
  await cluster?.stop();
});

const openLogs = (prefix: string): Promise<PartitionLog[]> => createNatsPartitionLogs({ url: `${cluster.url}?replicas=3`, prefix }, PARTITIONS);
const closeAll = (logs: readonly Broker[]): Promise<void> => Promise.all(logs.map((log) => log.close())).then(() => {});

// The whole contract, and what partitions add to it, over partitioned brokers on the cluster.
describeBrokerConformance({
  name: `nats cluster R3, ${PARTITIONS} partitions`,
  create: (options) => createBroker(`${cluster.url}?replicas=3&partitions=${PARTITIONS}`, options),
});
describePartitionConformance({
  name: 'nats cluster R3',
  create: ({ partitions, ...options }) => createBroker(`${cluster.url}?replicas=3&partitions=${partitions}`, options),
});

describe(`nats broker with ${PARTITIONS} partitions on a 3-node cluster`, () => {
  const open: Broker[] = [];
  afterEach(() => closeAll(open.splice(0)));

  it('creates every partition stream at start, each over its own subjects and replicated on every node', async () => {
    const prefix = uniquePrefix('natsp');
    open.push(...(await openLogs(prefix)));
    for (const k of range(0, PARTITIONS)) {
      const info = await jsm.streams.info(`${prefix.toUpperCase()}_${k}`);
      expect(info.config.subjects).toEqual([`${prefix}.${k}.>`]);
      expect(info.config.num_replicas).toBe(3);
    }
    // The one-log stream of the prefix does not exist beside them.
    await expect(jsm.streams.info(prefix.toUpperCase())).rejects.toThrow(/not found/i);
  });

  it('recreates a deleted partition stream; a resume resets only that partition\'s topics, the others replay', async () => {
    const prefix = uniquePrefix('natsp');
    const b = await createBroker(`${cluster.url}?replicas=3&partitions=${PARTITIONS}`, { prefix });
    open.push(b);
    const [a, c] = topicsInDistinctPartitions(2, PARTITIONS);
    const first = await collect(b, [a!, c!]);
    await publishNumbered(b, a!, 0, 2);
    await publishNumbered(b, c!, 10, 12);
    await first.waitFor(4);
    first.subscription.close();
    await publishNumbered(b, a!, 2, 3);
    await jsm.streams.delete(`${prefix.toUpperCase()}_${partitionOf(c!, PARTITIONS)}`);
    // The first publish to c finds no stream, recreates it and lands in the new one.
    await publishNumbered(b, c!, 20, 21);
    const resets: { reason: string; topics?: readonly string[] }[] = [];
    const events: { topic: string; n: number }[] = [];
    const sub = await b.subscribe(
      { topics: [a!, c!], after: first.events.at(-1)!.id },
      {
        onEvent: (event) => events.push({ topic: event.topic, n: (event.data as { n: number }).n }),
        onReset: (reason, topics) => resets.push({ reason, topics }),
      },
    );
    expect(resets).toEqual([{ reason: 'epoch', topics: [c] }]);
    expect(sub.resumedTopics).toEqual([a]);
    await publishNumbered(b, c!, 21, 22);
    await until(() => events.length >= 2, "a's replay and c's live event");
    expect(events).toEqual([
      { topic: a, n: 2 },
      { topic: c, n: 21 },
    ]);
    sub.close();
  });

  it('refuses at start a prefix that runs with another partition count, naming the stream', async () => {
    const prefix = uniquePrefix('natsp');
    open.push(await createBroker(`${cluster.url}?replicas=3`, { prefix }));
    await expect(openLogs(prefix)).rejects.toMatchObject({ code: 'invalid_url', message: expect.stringContaining(`${prefix.toUpperCase()}_`) });
  });

  it('spreads the stream leaders of its partitions over the servers, none leading two more than another', async () => {
    const prefix = uniquePrefix('natsp');
    const partitions = 8;
    open.push(...(await createNatsPartitionLogs({ url: `${cluster.url}?replicas=3`, prefix }, partitions)));
    const leadersPerNode = async (): Promise<number[] | null> => {
      const leaders = await Promise.all(range(0, partitions).map((k) => cluster.streamLeader(`${prefix.toUpperCase()}_${k}`)));
      if (leaders.includes(undefined)) return null;
      return range(0, cluster.nodes.length).map((i) => leaders.filter((leader) => leader === i).length);
    };
    // A follower's /jsz may name the old leader for a moment after a step-down: ask until it is current.
    const counts = await until(async () => {
      const perNode = await leadersPerNode();
      return perNode && Math.max(...perNode) - Math.min(...perNode) <= 1 ? perNode : null;
    }, 'the leaders spread over the nodes');
    expect(counts.sort()).toEqual([2, 3, 3]);
  });

  it('opens one connection and one signal subscription for all the partitions of a process', async () => {
    const prefix = uniquePrefix('natsp');
    // Every log would subscribe to the deployment's signals on a connection of its own: count who does.
    const signalSubscribers = async (): Promise<number> => {
      const counts = await Promise.all(
        cluster.monitorUrls.map(async (url) => {
          const connz = (await (await fetch(`${url}/connz?subs=1&limit=1024`)).json()) as { connections?: { subscriptions_list?: string[] }[] };
          return (connz.connections ?? []).filter((connection) => connection.subscriptions_list?.includes(`${prefix}~signal.>`)).length;
        }),
      );
      return counts.reduce((sum, count) => sum + count, 0);
    };
    const logs = await openLogs(prefix);
    open.push(...logs);
    // Every log works over it: subscribe on each and publish to each.
    const subs = await Promise.all(logs.map((log) => collect(log, ['rooms/a'])));
    await Promise.all(logs.map((log, k) => publishNumbered(log, 'rooms/a', k * 10, k * 10 + 3)));
    await Promise.all(subs.map((sub) => sub.waitFor(3)));
    subs.forEach((sub, k) => expectSequence(sub.events, range(k * 10, k * 10 + 3)));
    // The monitor reports a new connection without notice: ask until it lists this one.
    expect(await until(signalSubscribers, 'the process to appear in /connz')).toBe(1);
  });

  it('keeps the partitions apart: a topic published in one partition reaches no subscriber of another', async () => {
    const prefix = uniquePrefix('natsp');
    const logs = await openLogs(prefix);
    const other = await openLogs(prefix);
    open.push(...logs, ...other);
    const sub = await collect(other[0]!, ['rooms/a']);
    await publishNumbered(logs[1]!, 'rooms/a', 100, 105);
    await publishNumbered(logs[0]!, 'rooms/a', 0, 3);
    await sub.settle(logs[0]!, 'rooms/a');
    expectSequence(sub.events, range(0, 3));
    // Each partition numbers its own log and has its own epoch.
    const heads = await Promise.all(logs.map((log) => log.head()));
    expect(heads.map((head) => head.seq)).toEqual([4, 5, 0, 0]);
    expect(new Set(heads.map((head) => head.epoch)).size).toBe(PARTITIONS);
  });

  it('hands a signal to the subscribers of its topic in the partition that listens, over the one signal subscription', async () => {
    const prefix = uniquePrefix('natsp');
    const logs = await openLogs(prefix);
    const other = await openLogs(prefix);
    open.push(...logs, ...other);
    const signals: string[] = [];
    await other[2]!.subscribe({ topics: ['rooms/s'] }, { onEvent: () => {}, onSignal: (signal) => signals.push(signal.type) });
    await logs[2]!.signal({ topic: 'rooms/s', type: 'presence.join', data: { user: 'u1' } });
    await until(() => signals.length === 1, 'the signal');
    expect(signals).toEqual(['presence.join']);
  });
});
