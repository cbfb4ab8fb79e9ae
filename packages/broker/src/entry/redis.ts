// The public surface of @ssehub/broker/redis (peer dependency `ioredis`), checked by test/faces.test.ts.
export { createRedisBroker, type RedisBrokerOptions } from '../redis.js';
