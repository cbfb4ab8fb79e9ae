import { startRedis, type RedisServer } from '@ssehub/testkit';
import { afterAll, beforeAll } from 'vitest';
import { createBroker } from '../src/create-broker.js';
import { describeBrokerConformance } from './conformance.js';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(() => redis?.stop());

describeBrokerConformance({ name: 'redis', create: (options) => createBroker(redis.url, options) });
