import { partitionOf } from '@ssehub/protocol';
import { startNatsCluster, until, type NatsCluster } from '@ssehub/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker, StoredEvent } from '../src/broker.js';
import { BrokerError } from '../src/errors.js';
import { createNatsBroker } from '../src/nats.js';
import { collect, type Collected } from '../src/testing/collect.js';
import { topicsInDistinctPartitions } from '../src/testing/partition-conformance.js';
import { uniquePrefix } from '../src/testing/unique-prefix.js';
import { publishUntilStopped, type PublishLoad } from './helpers/publish-load.js';

const PARTITIONS = 4;

/** The positions (seq in its partition's log) one subscription received of `topic`, asserting they only increase. */
function seqsOf(sub: Collected, topic: string): number[] {
  const seqs = sub.events.filter((event) => event.topic === topic).map((event) => event.seq);
  for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBeGreaterThan(seqs[i - 1]!);
  return seqs;
}

/** Every acknowledged event of the load arrived at the subscription, intact and once. */
function expectEveryAcknowledged(sub: Collected, topic: string, acked: readonly StoredEvent[]): void {
  const received = new Map(sub.events.filter((event) => event.topic === topic).map((event) => [event.seq, event.data]));
  seqsOf(sub, topic);
  for (const event of acked) expect(received.get(event.seq), `${topic} seq ${event.seq}`).toEqual(event.data);
}

describe(`nats broker over ${PARTITIONS} partitions when a stream leader dies`, () => {
  let cluster: NatsCluster;
  const open: Broker[] = [];
  beforeAll(async () => {
    cluster = await startNatsCluster({ nodes: 3 });
  }, 90_000);
  afterAll(async () => {
    await Promise.all(open.splice(0).map((broker) => broker.close()));
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
    const options = { url: `${cluster.url}?replicas=3`, prefix, partitions: PARTITIONS, historyMaxPerTopic: 100_000 };
    const subscriber = await createNatsBroker(options);
    const publisher = await createNatsBroker(options);
    open.push(subscriber, publisher);
    // One topic in each partition, all on one live subscription.
    const topics = topicsInDistinctPartitions(PARTITIONS, PARTITIONS);
    const live = await collect(subscriber, topics);
    const loads: PublishLoad[] = topics.map((topic) => publishUntilStopped(publisher, topic));
    await until(() => loads.every((load) => load.acked.length >= 50), '50 acknowledged events in every partition');
    await until(() => topics.every((topic) => live.events.some((event) => event.topic === topic)), 'an event of every partition at the subscriber');
    // Its id holds every partition's position as of then: a resume from it replays the rest.
    const resumeFrom = live.events.length - 1;

    // Kill a leader that serves neither process's connection when there is one, so what the others
    // see is the loss of a stream leader, not of their own server.
    const stream = (topic: string): string => `${prefix.toUpperCase()}_${partitionOf(topic, PARTITIONS)}`;
    const leaders = await Promise.all(topics.map((topic) => until(() => cluster.streamLeader(stream(topic)).then((i) => i ?? null), `a leader of ${stream(topic)}`)));
    const busy = await until(() => clientNodes(prefix).then((nodes) => (nodes.size > 0 ? nodes : null)), 'the clients in /connz');
    const victim = Math.max(0, leaders.findIndex((leader) => !busy.has(leader)));
    const killed = leaders[victim]!;
    await cluster.kill(killed);
    const marks = loads.map((load) => load.acked.length);

    // The victim's stream elects a leader among the survivors; every partition goes on.
    await until(
      () => cluster.streamLeader(stream(topics[victim]!)).then((i) => (i !== undefined && i !== killed ? i : null)),
      `a new leader of ${stream(topics[victim]!)}`,
      40_000,
    );
    await until(() => loads.every((load, k) => load.acked.length >= marks[k]! + 100), '100 more acknowledged events in every partition', 60_000);
    await Promise.all(loads.map((load) => load.stop()));
    for (const [k, topic] of topics.entries()) {
      const lastSeq = loads[k]!.acked.at(-1)!.seq;
      await until(() => live.events.some((event) => event.topic === topic && event.seq >= lastSeq), `the last acknowledged event of ${topic}`, 60_000);
    }
    expect(live.errors).toEqual([]);
    for (const [k, topic] of topics.entries()) {
      expectEveryAcknowledged(live, topic, loads[k]!.acked);
      for (const failure of loads[k]!.rejected) expect(failure.error).toBeInstanceOf(BrokerError);
    }
    // A stream that lost a follower keeps its quorum: unless the dead node also carried a process's
    // connection, the partitions it did not lead never refused a publish.
    if (!busy.has(killed)) {
      const survivors = loads.filter((_, k) => leaders[k] !== killed);
      expect(survivors.length).toBeGreaterThan(0);
      expect(survivors.map((load) => load.rejected.map((failure) => String(failure.error)))).toEqual(survivors.map(() => []));
    }

    // A subscriber that resumes on the other process from an id taken before the kill gets, in every
    // partition, exactly what the live one received after that id.
    const resumed = await collect(publisher, topics, live.events[resumeFrom]!.id);
    expect(resumed.resets).toEqual([]);
    expect(resumed.subscription.resumedTopics).toEqual(topics);
    const after = { ...live, events: live.events.slice(resumeFrom + 1) };
    await until(() => topics.every((topic) => seqsOf(resumed, topic).length >= seqsOf(after, topic).length), 'the resumed subscription to catch up', 60_000);
    for (const topic of topics) expect(seqsOf(resumed, topic)).toEqual(seqsOf(after, topic));
    resumed.subscription.close();
  }, 240_000);
});
