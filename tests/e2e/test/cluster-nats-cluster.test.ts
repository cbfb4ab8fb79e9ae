// A NATS JetStream cluster of 3 nats-servers (stream with 3 replicas) behind the gateways: one node is
// killed mid-stream under load; every client still ends with every acknowledged event, once, in order.
import { startCluster, type Cluster } from '@ssehub/cluster';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAULT_AT, FAULT_CLUSTER_ENV, SCENARIO_TIMEOUT_MS, runScenario } from './support/fault-scenario.js';

describe('faults over a 3-node NATS cluster', () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await startCluster({ broker: 'nats-cluster', gateways: 3, keep: process.env.KEEP_CLUSTER === '1', env: FAULT_CLUSTER_ENV });
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('kill -9 of the nats-server leading the stream mid-stream: nothing lost or repeated, publishes refused at most with 503', async () => {
    expect(cluster.broker.url).toMatch(/^nats:\/\/[^,]+,[^,]+,[^,]+\?replicas=3$/);
    // The harshest node to lose: the one the stream's writes go through (nats-server logs it when elected).
    const leaders = () => cluster.broker.nodes.filter((node) => /new stream leader for '[^']* > SSEHUB'/.test(node.output()));
    let victim = cluster.broker.nodes[0]!;
    const refused = new Map<number, number>();
    const result = await runScenario(cluster, 'nats-node', async () => {
      const leader = leaders();
      expect(leader, 'exactly one node logged that it leads the stream').toHaveLength(1);
      victim = leader[0]!;
      await victim.kill();
    }, {
      onRefused: (_, status) => refused.set(status, (refused.get(status) ?? 0) + 1),
    });
    // While the stream elects a new leader a publish may be refused, then retried; never a 500.
    expect([...refused.keys()].filter((status) => status !== 503)).toEqual([]);
    console.log(
      `[nats-cluster] kill -9 of the stream leader ${victim.url} at event ${FAULT_AT}: ${refused.get(503) ?? 0} publish attempts answered 503 and were retried; ${result.summary}`,
    );
  }, SCENARIO_TIMEOUT_MS);
});
