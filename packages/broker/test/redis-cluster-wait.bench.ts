// What `?wait=1` costs on a Redis Cluster: acknowledged publishes per second with and without it, one at
// a time (latency-bound), 16 and 64 at once. Run: `npx vitest bench --run test/redis-cluster-wait.bench.ts`
// (a measurement, not part of `vitest run`).
import { startRedisCluster, type RedisCluster } from '@ssehub/testkit';
import { afterAll, beforeAll, bench, describe } from 'vitest';
import type { Broker } from '../src/broker.js';
import { createRedisBroker } from '../src/redis.js';
import { uniquePrefix } from '../src/testing/unique-prefix.js';

let cluster: RedisCluster;
const brokers = new Map<string, Broker>();
beforeAll(async () => {
  cluster = await startRedisCluster();
  for (const query of ['', '?wait=1']) brokers.set(query, await createRedisBroker({ url: `${cluster.url}${query}`, prefix: uniquePrefix('waitcost') }));
}, 120_000);
afterAll(async () => {
  await Promise.all([...brokers.values()].map((broker) => broker.close()));
  await cluster?.stop();
});

const event = { topic: 'rooms/a', type: 'bench.n', data: { text: 'x'.repeat(100) } };
const options = { time: 3000, warmupTime: 500 };

for (const concurrency of [1, 16, 64]) {
  describe(`${concurrency} publish${concurrency > 1 ? 'es' : ''} in flight (ops/s x ${concurrency} = acks/s)`, () => {
    for (const query of ['', '?wait=1']) {
      bench(query === '' ? 'acknowledged by the master' : 'acknowledged by a replica too (?wait=1)', async () => {
        const broker = brokers.get(query)!;
        await Promise.all(Array.from({ length: concurrency }, () => broker.publish([event])));
      }, options);
    }
  });
}
