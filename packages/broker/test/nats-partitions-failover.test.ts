import { startNatsCluster, until, type NatsCluster } from '@ssehub/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker } from '../src/broker.js';
import { BrokerError } from '../src/errors.js';
import { createNatsPartitionLogs } from '../src/nats.js';
import { collect, expectEveryAcknowledgedOnce, type Collected } from '../src/testing/collect.js';
import { range } from '../src/testing/numbered.js';
import { uniquePrefix } from '../src/testing/unique-prefix.js';
import { publishUntilStopped, type PublishLoad } from './helpers/publish-load.js';

const PARTITIONS = 4;

describe(`nats broker with ${PARTITIONS} partitions when a stream leader dies`, () => {
  let cluster: NatsCluster;
  const open: Broker[] = [];
  beforeAll(async () => {
    cluster = await startNatsCluster({ nodes: 3 });
  }, 90_000);
  afterAll(async () => {
    await Promise.all(open.splice(0).map((log) => log.close()));
    await cluster?.stop();
  });

  /** The nodes that hold a connection of this deployment (they serve its signal subscription). */
  async function clientNodes(prefix: string): Promise<Set<number>> {
    const nodes = new Set<number>();
    for (const [i, url] of cluster.monitorUrls.entries()) {
      const connz = (await (await fetch(`${url}/connz?subs=1&limit=1024`)).json()) as { connections?: { subscriptions_list?: string[] }[] };
      if (connz.connections?.some((connection) => connection.subscriptions_list?.includes(`${prefix}~signal.>`))) nodes.add(i);
    }
    return nodes;
  }

  it('keeps every partition publishing and delivering, and loses no acknowledged event, when one partition\'s leader is killed', async () => {
    const prefix = uniquePrefix('natspf');
    // Retention far above what is published meanwhile, so any gap would be a bug.
    const options = { url: `${cluster.url}?replicas=3`, prefix, historyMaxPerTopic: 100_000 };
    const subscriber = await createNatsPartitionLogs(options, PARTITIONS);
    const publisher = await createNatsPartitionLogs(options, PARTITIONS);
    open.push(...subscriber, ...publisher);
    const topic = (k: number): string => `rooms/p${k}`;
    const subs: Collected[] = await Promise.all(range(0, PARTITIONS).map((k) => collect(subscriber[k]!, [topic(k)])));
    const loads: PublishLoad[] = range(0, PARTITIONS).map((k) => publishUntilStopped(publisher[k]!, topic(k)));
    await until(() => loads.every((load) => load.acked.length >= 50), '50 acknowledged events in every partition');

    // Kill a leader that serves neither process's connection when there is one, so what the others
    // see is the loss of a stream leader, not of their own server.
    const stream = (k: number): string => `${prefix.toUpperCase()}_${k}`;
    const leaders = await Promise.all(range(0, PARTITIONS).map((k) => until(() => cluster.streamLeader(stream(k)).then((i) => i ?? null), `a leader of ${stream(k)}`)));
    const busy = await until(() => clientNodes(prefix).then((nodes) => (nodes.size > 0 ? nodes : null)), 'the clients in /connz');
    const victim = Math.max(0, leaders.findIndex((leader) => !busy.has(leader)));
    const killed = leaders[victim]!;
    await cluster.kill(killed);
    const marks = loads.map((load) => load.acked.length);

    // The victim's stream elects a leader among the survivors; every partition goes on.
    const next = await until(() => cluster.streamLeader(stream(victim)).then((i) => (i !== undefined && i !== killed ? i : null)), `a new leader of ${stream(victim)}`, 40_000);
    expect(next).not.toBe(killed);
    await until(() => loads.every((load, k) => load.acked.length >= marks[k]! + 100), '100 more acknowledged events in every partition', 60_000);
    await Promise.all(loads.map((load) => load.stop()));
    for (const k of range(0, PARTITIONS)) {
      await expectEveryAcknowledgedOnce(subs[k]!, loads[k]!.acked, 60_000);
      for (const failure of loads[k]!.rejected) expect(failure.error).toBeInstanceOf(BrokerError);
    }
    // A stream that lost a follower keeps its quorum: unless the dead node also carried a process's
    // connection, the other partitions never refused a publish.
    if (!busy.has(killed)) {
      expect(loads.filter((_, k) => k !== victim).map((load) => load.rejected.length)).toEqual(range(1, PARTITIONS).map(() => 0));
    }

    // A subscriber that resumes from each partition's first event replays, under the new leader, every later one.
    for (const k of range(0, PARTITIONS)) {
      const resumed = await collect(publisher[k]!, [topic(k)], loads[k]!.acked[0]!.id);
      expect(resumed.resets).toEqual([]);
      await expectEveryAcknowledgedOnce(resumed, loads[k]!.acked.slice(1));
      resumed.subscription.close();
    }
  }, 240_000);
});
