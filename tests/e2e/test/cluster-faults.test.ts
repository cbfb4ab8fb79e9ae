// Faults under load, over Redis and over NATS: 200 clients through nginx over 3 gateways while 2,000
// numbered events are published at a steady rate; a gateway is killed, all are restarted in turn, or
// the broker goes away. Every client must end with every acknowledged event, once each, in order.
import { startCluster, type BrokerKind, type Cluster } from '@ssehub/cluster';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAULT_AT, FAULT_CLUSTER_ENV, SCENARIO_TIMEOUT_MS, runScenario } from './support/fault-scenario.js';

/** How long the broker stays away. */
const OUTAGE_MS = 1500;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe.each<BrokerKind>(['redis', 'nats'])('faults over %s', (broker) => {
  let cluster: Cluster;

  beforeAll(async () => {
    // KEEP_CLUSTER=1 keeps .cluster/<name>/ (every process's log) for a look after a failure.
    cluster = await startCluster({ broker, gateways: 3, keep: process.env.KEEP_CLUSTER === '1', env: FAULT_CLUSTER_ENV });
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('kill -9 of a gateway mid-stream: its clients resume on the others through nginx, nothing lost or repeated', async () => {
    const victim = cluster.gateways[1]!;
    const result = await runScenario(cluster, 'kill', () => victim.kill());
    const onVictim = result.clients.filter((client) => client.nodes[0] === victim.nodeId);
    expect(onVictim.length).toBeGreaterThan(0);
    for (const client of onVictim) expect(client.nodes.slice(1)).not.toContain(victim.nodeId);
    console.log(`[${broker}] kill -9 ${victim.nodeId} at event ${FAULT_AT}: ${result.summary}`);
    await victim.restart();
  }, SCENARIO_TIMEOUT_MS);

  it('rolling restart (SIGTERM each gateway in turn, drain with jittered retry): nothing lost or repeated', async () => {
    const result = await runScenario(cluster, 'rolling', async () => {
      for (const gateway of cluster.gateways) await gateway.restart();
    });
    // Every client was on a node that restarted, so every client resumed at least once.
    for (const client of result.clients) expect(client.resumeMs.length).toBeGreaterThan(0);
    console.log(`[${broker}] rolling SIGTERM restart of ${cluster.gateways.length} gateways from event ${FAULT_AT}: ${result.summary}`);
  }, SCENARIO_TIMEOUT_MS);

  it('broker restart mid-stream: publishes in the outage get 503, never a false 201, and every acknowledged event reaches every client', async () => {
    const refused = new Map<number, number>();
    let outageMs = 0;
    const result = await runScenario(
      cluster,
      'broker',
      async () => {
        const down = performance.now();
        await cluster.broker.kill();
        await sleep(OUTAGE_MS);
        await cluster.broker.restart();
        outageMs = performance.now() - down;
      },
      { onRefused: (_, status) => refused.set(status, (refused.get(status) ?? 0) + 1) },
    );
    // Refusals are all 503 (no 500, no timeout); the retries carried the same Idempotency-Key.
    expect([...refused.keys()]).toEqual([503]);
    console.log(
      `[${broker}] ${broker} kill -9 + restart at event ${FAULT_AT} (down ${outageMs.toFixed(0)} ms): ` +
        `${refused.get(503)} publish attempts answered 503 and were retried; ${result.summary}`,
    );
  }, SCENARIO_TIMEOUT_MS);
});
