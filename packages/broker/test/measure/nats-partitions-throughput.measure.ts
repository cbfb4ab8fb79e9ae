import { loadavg } from 'node:os';
import { startNatsCluster, type NatsCluster } from '@ssehub/testkit';
import { afterAll, beforeAll, it } from 'vitest';
import type { Broker } from '../../src/broker.js';
import { createNatsBroker } from '../../src/nats.js';
import { uniquePrefix } from '../../src/testing/unique-prefix.js';

// Acknowledged publishes per second of one process on a 3-node cluster, streams at R3, for several partition
// counts, through the broker apps get: IN_FLIGHT publishers, each one publish after another to a topic of its own
// (so the topics hash over the partitions).
// Run: cd packages/broker && npx vitest run --config test/measure/vitest.config.ts nats-partitions-throughput
const PARTITION_COUNTS = (process.env.PARTITIONS ?? '1,3,8').split(',').map(Number);
const IN_FLIGHT = Number(process.env.IN_FLIGHT ?? 64);
const WARMUP_MS = 2000;
const MEASURE_MS = Number(process.env.MEASURE_MS ?? 10_000);

let cluster: NatsCluster;
beforeAll(async () => {
  cluster = await startNatsCluster({ nodes: 3 });
}, 90_000);
afterAll(() => cluster?.stop());

/** Runs the publishers for warm-up plus measurement; answers the acknowledged publishes of the measurement alone. */
async function publishFor(broker: Broker): Promise<{ acked: number; failed: number }> {
  let counting = false;
  let acked = 0;
  let failed = 0;
  let running = true;
  const workers = Array.from({ length: IN_FLIGHT }, async (_, w) => {
    for (let n = 0; running; n++) {
      try {
        await broker.publish([{ topic: `rooms/w${w}`, type: 'bench.n', data: { n } }]);
        if (counting) acked++;
      } catch {
        if (counting) failed++;
      }
    }
  });
  await new Promise((resolve) => setTimeout(resolve, WARMUP_MS));
  counting = true;
  await new Promise((resolve) => setTimeout(resolve, MEASURE_MS));
  counting = false;
  running = false;
  await Promise.all(workers);
  return { acked, failed };
}

it('measures acknowledged publishes per second by partition count', async () => {
  const rows: string[] = [];
  for (const partitions of PARTITION_COUNTS) {
    const prefix = uniquePrefix('tput');
    const broker = await createNatsBroker({ url: `${cluster.url}?replicas=3`, prefix, partitions });
    try {
      const streams = partitions === 1 ? [prefix.toUpperCase()] : Array.from({ length: partitions }, (_, k) => `${prefix.toUpperCase()}_${k}`);
      const leaders = await Promise.all(streams.map((stream) => cluster.streamLeader(stream)));
      const perNode = [0, 1, 2].map((i) => leaders.filter((leader) => leader === i).length);
      const cpuBefore = process.cpuUsage();
      const { acked, failed } = await publishFor(broker);
      const cpu = process.cpuUsage(cpuBefore);
      const clientCpu = ((cpu.user + cpu.system) / 1000 / (WARMUP_MS + MEASURE_MS)) * 100;
      rows.push(
        `P=${partitions}  ${Math.round(acked / (MEASURE_MS / 1000))} acked/s  failed ${failed}  leaders per node n0/n1/n2 ${perNode.join('/')}  ` +
          `client CPU ${clientCpu.toFixed(0)}%  load ${loadavg()[0]!.toFixed(2)}`,
      );
    } finally {
      await broker.close();
    }
  }
  console.log(`\n${IN_FLIGHT} publishers in flight, ${MEASURE_MS / 1000} s each:\n${rows.join('\n')}`);
}, 600_000);
