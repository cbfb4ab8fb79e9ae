import { startRedisCluster, until as untilAnswer, type RedisCluster, type RedisServer } from '@ssehub/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker, BrokerSubscription, StoredEvent, SubscriptionListener } from '../src/broker.js';
import { BrokerError } from '../src/errors.js';
import { createRedisBroker } from '../src/redis.js';
import { keySlot } from '../src/redis-slot.js';
import { uniquePrefix } from '../src/testing/unique-prefix.js';
import { until } from '../src/testing/wait.js';
import { publishUntilStopped } from './helpers/publish-load.js';

// One cluster for the file. The wait test takes a replica away from one shard; the failover test
// kills the master of another shard, whose replica then takes over.
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

/** The master serving a P=1 log under `prefix` (its keys share the hash tag `{<prefix>}`). */
const masterOfPrefix = (prefix: string): Promise<RedisServer> => cluster.masterOf(keySlot(`{${prefix}}`));

/** A fresh prefix whose log lives on another shard than `avoid`'s master. */
async function prefixAwayFrom(avoid: RedisServer): Promise<string> {
  for (;;) {
    const prefix = uniquePrefix('failover');
    if ((await masterOfPrefix(prefix)).port !== avoid.port) return prefix;
  }
}

/** The replica of a master, from its `INFO replication`. */
async function replicaOf(master: RedisServer): Promise<RedisServer> {
  const port = Number(/slave0:ip=[^,]+,port=(\d+)/.exec(await cluster.cli(master, 'INFO', 'replication'))?.[1]);
  const replica = cluster.nodes.find((node) => node.port === port);
  if (!replica) throw new Error(`no replica of ${master.port} found`);
  return replica;
}

/**
 * A subscriber that keeps following a topic the way a client does: on an error it subscribes again
 * from the last id it received. Records every event per subscription, and every reset and error.
 */
function follower(target: Broker, topic: string) {
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
    current = await untilAnswer(() => target.subscribe({ topics: [topic], after: cursor }, listener(events)).catch(() => undefined), 'a subscription', 30_000);
  }
  return {
    segments,
    told,
    start: subscribe,
    settled: () => resubscribing,
    close: () => current?.close(),
  };
}

describe('redis cluster', () => {
  // The shard whose replica the wait test stopped: it cannot fail over any more.
  let replicaless: RedisServer | undefined;

  it('fails a publish under ?wait=1 as unavailable when no replica acknowledges it, acknowledges it while one does', async () => {
    const prefix = uniquePrefix('wait');
    const url = `${cluster.url}?wait=1`;
    const publisher = await broker(url, prefix);
    const [stored] = await publisher.publish([{ topic: 'rooms/a', type: 'test.n', data: { n: 0 } }]);
    expect(stored!.seq).toBe(1);
    replicaless = await masterOfPrefix(prefix);
    await (await replicaOf(replicaless)).kill();
    const refused = await publisher.publish([{ topic: 'rooms/a', type: 'test.n', data: { n: 1 } }]).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'unavailable' });
  });

  it('keeps every acknowledged publish through a master failover, or tells the subscriber; no id names two events', async () => {
    const prefix = replicaless ? await prefixAwayFrom(replicaless) : uniquePrefix('failover');
    const publisher = await broker(cluster.url, prefix);
    const sub = follower(await broker(cluster.url, prefix), 'rooms/a');
    await sub.start();
    const load = publishUntilStopped(publisher, 'rooms/a');
    await until(() => load.acked.length >= 100, '100 acknowledged publishes before the kill');
    await (await masterOfPrefix(prefix)).kill();
    const ackedAtKill = load.acked.length;
    // Its replica takes over once the others agree it is gone (cluster-node-timeout, 2 s); publishes resume there.
    await until(() => load.acked.length >= ackedAtKill + 100, '100 acknowledged publishes after the failover', 60_000);
    await load.stop();
    // A subscriber that was reset starts from the head it read: publish markers until one reaches it.
    await untilAnswer(async () => {
      await publisher.publish([{ topic: 'rooms/a', type: 'test.marker', data: {} }]);
      return sub.segments.some((events) => events.some((event) => event.type === 'test.marker'));
    }, 'a marker event on the subscriber', 30_000);
    await sub.settled();
    sub.close();

    const n = (event: StoredEvent): number => (event.data as { n: number }).n;
    const received = sub.segments.flat().filter((event) => event.type === 'test.n');
    // No id names two events: not among the acknowledged ones, nor between them and what was delivered.
    const eventOfId = new Map<string, number>();
    for (const event of [...load.acked, ...received]) {
      expect(eventOfId.get(event.id) ?? n(event), `id ${event.id}`).toBe(n(event));
      eventOfId.set(event.id, n(event));
    }
    // Each subscription delivers in log order, and nothing arrives twice.
    for (const events of sub.segments) {
      const seqs = events.map((event) => event.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    }
    expect(new Set(received.map(n)).size).toBe(received.length);
    // Every acknowledged publish reached the subscriber, or the subscriber was told it missed some.
    const delivered = new Set(received.map(n));
    const missing = load.acked.filter((event) => !delivered.has(n(event)));
    if (missing.length > 0) expect(sub.told.filter((told) => told.startsWith('reset:'))).not.toEqual([]);
    // What it missed came before it was told: from the last subscription's first event on, nothing is missing.
    const firstOfLast = sub.segments.at(-1)!.find((event) => event.type === 'test.n');
    if (firstOfLast) expect(missing.filter((event) => n(event) > n(firstOfLast))).toEqual([]);
    console.info(
      `failover: ${load.acked.length} acknowledged, ${load.rejected.length} refused, ${missing.length} missed by the subscriber; told: ${sub.told.join(', ') || 'nothing'}`,
    );
  }, 120_000);
});
