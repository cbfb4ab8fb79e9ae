import { createBroker } from '@ssehub/broker';
import { describeBrokerConformance, describePartitionConformance } from '@ssehub/broker/testing';
import { startRedisCluster, type RedisCluster } from '@ssehub/testkit';
import { afterAll, beforeAll } from 'vitest';

// One 3-master + 3-replica cluster for the file; every test runs under a prefix of its own.
let cluster: RedisCluster;
beforeAll(async () => {
  cluster = await startRedisCluster();
}, 120_000);
afterAll(() => cluster?.stop());

describeBrokerConformance({ name: 'redis-cluster', create: (options) => createBroker(cluster.url, options) });
// Four logs, each in a slot of its own (`{<prefix>.<k>}`), over one commands client and one sharded feed.
describeBrokerConformance({ name: 'redis-cluster, 4 partitions', create: (options) => createBroker(`${cluster.url}?partitions=4`, options) });
describePartitionConformance({
  name: 'redis-cluster',
  create: ({ partitions, ...options }) => createBroker(`${cluster.url}?partitions=${partitions}`, options),
});
