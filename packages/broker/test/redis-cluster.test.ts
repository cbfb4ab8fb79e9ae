import { createBroker } from '@ssehub/broker';
import { describeBrokerConformance } from '@ssehub/broker/testing';
import { startRedisCluster, type RedisCluster } from '@ssehub/testkit';
import { afterAll, beforeAll } from 'vitest';
import type { Broker } from '../src/broker.js';
import { createRedisPartitionLogs } from '../src/redis.js';

// One 3-master + 3-replica cluster for the file; every test runs under a prefix of its own.
let cluster: RedisCluster;
beforeAll(async () => {
  cluster = await startRedisCluster();
}, 120_000);
afterAll(() => cluster?.stop());

describeBrokerConformance({ name: 'redis-cluster', create: (options) => createBroker(cluster.url, options) });

/** Log `k` of a 4-log deployment as a broker of its own; closing it closes the other three (and the connections). */
async function partitionLog(k: number, options: Parameters<typeof createRedisPartitionLogs>[0]): Promise<Broker> {
  const { logs } = await createRedisPartitionLogs(options, 4);
  return { ...logs[k]!, close: async () => void (await Promise.all(logs.map((log) => log.close()))) };
}

describeBrokerConformance({ name: 'redis-cluster log 3 of 4', create: (options) => partitionLog(3, { ...options, url: cluster.url }) });
