import { createBroker } from '@ssehub/broker';
import { describeBrokerConformance } from '@ssehub/broker/testing';
import { startRedis, type RedisServer } from '@ssehub/testkit';
import { afterAll, beforeAll } from 'vitest';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(() => redis?.stop());

describeBrokerConformance({ name: 'redis', create: (options) => createBroker(redis.url, options) });
