// A partitioned log behind the gateways (?partitions=8), on a Redis Cluster of 3 masters + 3 replicas and
// on one redis-server: 200 clients through nginx, each streaming 4 topics that lie in 4 different
// partitions in one connection, while 2,000 numbered events are spread over the topics. A gateway is
// killed mid-stream; every client must end with every acknowledged event once, in order per topic,
// resumed with the one token its last event carried, and never an ssehub.reset.
import { startCluster, type BrokerKind, type Cluster } from '@ssehub/cluster';
import { decodePartitionCursor, partitionOf } from '@ssehub/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAULT_AT, FAULT_CLUSTER_ENV, SCENARIO_TIMEOUT_MS, runScenario } from './support/fault-scenario.js';

/** Partitions of the log. */
const PARTITIONS = 8;
/** Topics each client streams, each in a partition of its own. */
const TOPICS = 4;

describe.each<BrokerKind>(['redis-cluster', 'redis'])(`a log of ${PARTITIONS} partitions over %s`, (broker) => {
  let cluster: Cluster;

  beforeAll(async () => {
    // KEEP_CLUSTER=1 keeps .cluster/<name>/ (every process's log) for a look after a failure.
    cluster = await startCluster({ broker, partitions: PARTITIONS, gateways: 3, keep: process.env.KEEP_CLUSTER === '1', env: FAULT_CLUSTER_ENV });
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it(`kill -9 of a gateway mid-stream: clients over ${TOPICS} partitions resume on the others with one token, nothing lost or repeated per topic`, async () => {
    expect(cluster.broker.url).toMatch(new RegExp(`^${broker}://.*[?&]partitions=${PARTITIONS}$`));
    const victim = cluster.gateways[1]!;
    const result = await runScenario(cluster, 'partitioned-kill', () => victim.kill(), { topics: TOPICS, partitions: PARTITIONS });
    const onVictim = result.clients.filter((client) => client.nodes[0] === victim.nodeId);
    expect(onVictim.length).toBeGreaterThan(0);
    for (const client of onVictim) expect(client.nodes.slice(1)).not.toContain(victim.nodeId);
    // The ids were partitioned tokens naming each topic's partition, not one log's ids.
    const lastId = result.clients[0]!.delivered.at(-1)!.id;
    const partitionsOfTopics = result.topics.map((topic) => partitionOf(topic, PARTITIONS)).sort((a, b) => a - b);
    expect(new Set(partitionsOfTopics).size).toBe(TOPICS);
    expect([...(decodePartitionCursor(lastId)?.positions.keys() ?? [])]).toEqual(partitionsOfTopics);
    console.log(`[${broker} ?partitions=${PARTITIONS}] kill -9 ${victim.nodeId} at event ${FAULT_AT}: ${result.summary}`);
    await victim.restart();
  }, SCENARIO_TIMEOUT_MS);
});
