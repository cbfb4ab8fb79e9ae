import { partitionOf } from '@ssehub/protocol';
import { startRedisCluster, until as untilAnswer, type RedisCluster, type RedisServer } from '@ssehub/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker, BrokerSubscription, StoredEvent, SubscriptionListener } from '../src/broker.js';
import { BrokerError } from '../src/errors.js';
import { createRedisBroker } from '../src/redis.js';
import { logKeyPrefix } from '../src/redis-keys.js';
import { keySlot } from '../src/redis-slot.js';
import { uniquePrefix } from '../src/testing/unique-prefix.js';
import { until } from '../src/testing/wait.js';
import { publishUntilStopped, type PublishLoad } from './helpers/publish-load.js';

// One cluster for the file. The wait test takes the replica away from one shard; each failover test
// kills the master of a shard that still has a replica, which then takes over.
let cluster: RedisCluster;
const open: Broker[] = [];
beforeAll(async () => {
  cluster = await startRedisCluster();
}, 120_000);
afterAll(async () => {
  await Promise.all(open.splice(0).map((broker) => broker.close()));
  await cluster?.stop();
});

async function broker(url: string, prefix: string): Promise<Broker> {
  const created = await createRedisBroker({ url, prefix });
  open.push(created);
  return created;
}

/** The master serving log `partition` of `partitions` under `prefix` (its keys share one hash tag). */
const masterOfLog = (prefix: string, partitions: number, partition = 0): Promise<RedisServer> =>
  cluster.masterOf(keySlot(`${logKeyPrefix({ prefix, partitions, cluster: true }, partition)}:seq`));

/** A master's replica, from its `INFO replication`; undefined when it has none online. */
async function replicaOf(master: RedisServer): Promise<RedisServer | undefined> {
  const port = Number(/slave0:ip=[^,]+,port=(\d+),state=online/.exec(await cluster.cli(master, 'INFO', 'replication'))?.[1]);
  return cluster.nodes.find((node) => node.port === port);
}

/** A fresh prefix whose log 0 lives on a shard that can still fail over. */
async function prefixOnShardWithReplica(partitions: number): Promise<string> {
  for (;;) {
    const prefix = uniquePrefix('failover');
    if (await replicaOf(await masterOfLog(prefix, partitions))) return prefix;
  }
}

/**
 * A subscriber that keeps following topics the way a client does: on an error it subscribes again
 * from the last id it received. Records every event per subscription, and every reset and error.
 */
function follower(target: Broker, topics: string[]) {
  const segments: StoredEvent[][] = [];
  const told: string[] = [];
  let cursor: string | undefined;
  let current: BrokerSubscription | undefined;
  let resubscribing: Promise<void> = Promise.resolve();
  const listener = (events: StoredEvent[]): SubscriptionListener => ({
    onEvent(event) {
      events.push(event);
      cursor = event.id;
    },
    onReset: (reason) => void told.push(`reset:${reason}`),
    onError(error) {
      told.push(`error:${error instanceof BrokerError ? error.code : error.message}`);
      resubscribing = subscribe();
    },
  });
  async function subscribe(): Promise<void> {
    const events: StoredEvent[] = [];
    segments.push(events);
    // While the shard has no master, subscribing fails (unavailable): ask again until it is served.
    current = await untilAnswer(() => target.subscribe({ topics, after: cursor }, listener(events)).catch(() => undefined), 'a subscription', 30_000);
  }
  return { segments, told, start: subscribe, settled: () => resubscribing, close: () => current?.close() };
}

/** What identifies a published event across ids: its topic and the `n` its publisher gave it. */
const keyOf = (event: StoredEvent): string => `${event.topic}#${(event.data as { n: number }).n}`;

/**
 * Publishes to `topics` (one publisher each) while the master of log 0 hands over to its replica,
 * killed (`kill -9`) or asked to (`CLUSTER FAILOVER` on the replica: the old master lives on as a
 * replica), with a subscriber following every topic; then checks what the subscriber saw against
 * what was acknowledged.
 */
async function failoverUnderLoad(how: 'kill' | 'handover', partitions: number, topics: string[]): Promise<string> {
  const prefix = await prefixOnShardWithReplica(partitions);
  const url = partitions === 1 ? cluster.url : `${cluster.url}?partitions=${partitions}`;
  const publisher = await broker(url, prefix);
  const sub = follower(await broker(url, prefix), topics);
  await sub.start();
  const loads: PublishLoad[] = topics.map((topic) => publishUntilStopped(publisher, topic));
  const acked = (): number => loads.reduce((sum, load) => sum + load.acked.length, 0);
  await until(() => acked() >= 100, '100 acknowledged publishes before the kill');
  const killed = await masterOfLog(prefix, partitions);
  // The logs that master serves: log 0, and any other whose slot it owns too.
  const affected = new Set<number>();
  for (let k = 0; k < partitions; k++) if ((await masterOfLog(prefix, partitions, k)).port === killed.port) affected.add(k);
  if (how === 'kill') await killed.kill();
  else await cluster.cli((await replicaOf(killed))!, 'CLUSTER', 'FAILOVER');
  const ackedAtKill = acked();
  // Its replica takes over (once the others agree a killed master is gone: cluster-node-timeout, 2 s); publishes resume there.
  await until(() => loads[0]!.acked.length >= ackedAtKill / topics.length + 100, '100 acknowledged publishes after the failover', 60_000);
  await Promise.all(loads.map((load) => load.stop()));
  // A subscriber that was reset starts from the head it read: publish markers until one reaches it, on every topic.
  for (const topic of topics) {
    await untilAnswer(async () => {
      await publisher.publish([{ topic, type: 'test.marker', data: {} }]);
      return sub.segments.some((events) => events.some((event) => event.topic === topic && event.type === 'test.marker'));
    }, `a marker event on ${topic}`, 30_000);
  }
  await sub.settled();
  sub.close();

  const allAcked = loads.flatMap((load) => load.acked);
  const received = sub.segments.flat().filter((event) => event.type === 'test.n');
  // No id names two events: not among the acknowledged ones, nor between them and what was delivered.
  const eventOfId = new Map<string, string>();
  for (const event of [...allAcked, ...received]) {
    expect(eventOfId.get(event.id) ?? keyOf(event), `id ${event.id}`).toBe(keyOf(event));
    eventOfId.set(event.id, keyOf(event));
  }
  // Each subscription delivers every topic in publish order, and nothing arrives twice.
  for (const events of sub.segments) {
    for (const topic of topics) {
      const ns = events.filter((event) => event.topic === topic && event.type === 'test.n').map((event) => (event.data as { n: number }).n);
      expect(ns).toEqual([...ns].sort((a, b) => a - b));
    }
  }
  expect(new Set(received.map(keyOf)).size).toBe(received.length);
  // Every acknowledged publish reached the subscriber, or the subscriber was told it missed some.
  const delivered = new Set(received.map(keyOf));
  const missing = allAcked.filter((event) => !delivered.has(keyOf(event)));
  if (missing.length > 0) expect(sub.told.filter((told) => told.startsWith('reset:'))).not.toEqual([]);
  // What it missed came before it was told: from the last subscription's first event of a topic on, nothing is missing.
  for (const topic of topics) {
    const first = sub.segments.at(-1)!.find((event) => event.topic === topic && event.type === 'test.n');
    const n = (event: StoredEvent): number => (event.data as { n: number }).n;
    if (first) expect(missing.filter((event) => event.topic === topic && n(event) > n(first))).toEqual([]);
  }
  // The topics of the logs on other masters carried on: nothing missing there.
  const carriedOn = topics.filter((topic) => !affected.has(partitions === 1 ? 0 : partitionOf(topic, partitions)));
  expect(missing.filter((event) => carriedOn.includes(event.topic))).toEqual([]);
  const rejected = loads.reduce((sum, load) => sum + load.rejected.length, 0);
  return `${allAcked.length} acknowledged, ${rejected} refused, ${missing.length} missed by the subscriber (none on ${carriedOn.length} topics of logs on other masters); told: ${sub.told.join(', ') || 'nothing'}`;
}

describe('redis cluster', () => {
  it('fails a publish under ?wait=1 as unavailable when no replica acknowledges it, acknowledges it while one does', async () => {
    const prefix = uniquePrefix('wait');
    const publisher = await broker(`${cluster.url}?wait=1`, prefix);
    const [stored] = await publisher.publish([{ topic: 'rooms/a', type: 'test.n', data: { n: 0 } }]);
    expect(stored!.seq).toBe(1);
    await (await replicaOf(await masterOfLog(prefix, 1)))!.kill();
    const refused = await publisher.publish([{ topic: 'rooms/a', type: 'test.n', data: { n: 1 } }]).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'unavailable' });
  });

  // Before the kills below: the shard keeps both its nodes, so a later test can still fail it over.
  it('follows a log whose master hands over to its replica while it lives on: delivered, or the subscriber told', async () => {
    console.info(`handover, one log: ${await failoverUnderLoad('handover', 1, ['rooms/a'])}`);
  }, 120_000);

  it('keeps every acknowledged publish through a master failover, or tells the subscriber; no id names two events', async () => {
    console.info(`failover, one log: ${await failoverUnderLoad('kill', 1, ['rooms/a'])}`);
  }, 120_000);

  it('does the same for a partitioned log whose partition 0 fails over while the other partitions carry on', async () => {
    // Two topics in partition 0, two elsewhere.
    const candidates = Array.from({ length: 64 }, (_, i) => `rooms/t${i}`);
    const inZero = candidates.filter((topic) => partitionOf(topic, 4) === 0).slice(0, 2);
    const elsewhere = candidates.filter((topic) => partitionOf(topic, 4) !== 0).slice(0, 2);
    console.info(`failover, 4 partitions: ${await failoverUnderLoad('kill', 4, [...inZero, ...elsewhere])}`);
  }, 120_000);
});
