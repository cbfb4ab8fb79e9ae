import { createBroker, parseBrokerUrl } from '@ssehub/broker';
import { describeBrokerConformance, describePartitionConformance } from '@ssehub/broker/testing';
import { startRedis, type RedisServer } from '@ssehub/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPresenceTracker } from '../src/presence-tracker.js';
import { parseRedisClusterUrl } from '../src/redis-connection.js';
import { logKeyPrefix, presenceKeyPrefix } from '../src/redis-keys.js';
import { keySlot } from '../src/redis-slot.js';
import { uniquePrefix } from '../src/testing/unique-prefix.js';

// Where a deployment's keys live, on one plain server: P = 1 keeps the names it always had, P > 1
// tags each log's keys so that the same layout runs on a cluster, and P logs share two connections.
let redis: RedisServer;
let admin: Redis;
beforeAll(async () => {
  redis = await startRedis();
  admin = new Redis(redis.url);
});
afterAll(async () => {
  admin?.disconnect();
  await redis?.stop();
});

describe('redis key layout', () => {
  it('names log keys by one rule: untagged for one log on plain redis, one hash tag per log otherwise', () => {
    expect(logKeyPrefix({ prefix: 'app', partitions: 1, cluster: false }, 0)).toBe('app');
    expect(logKeyPrefix({ prefix: 'app', partitions: 1, cluster: true }, 0)).toBe('{app}');
    expect(logKeyPrefix({ prefix: 'app', partitions: 4, cluster: false }, 3)).toBe('{app.3}');
    expect(logKeyPrefix({ prefix: 'app', partitions: 4, cluster: true }, 0)).toBe('{app.0}');
    expect(presenceKeyPrefix({ prefix: 'app', partitions: 4, cluster: false })).toBe('app:p:');
    expect(presenceKeyPrefix({ prefix: 'app', partitions: 1, cluster: true })).toBe('{app}:p:');
  });

  it('reads a redis-cluster:// URL as the redis backend with its seed nodes, credentials and partitions', () => {
    const url = 'redis-cluster://app:s%40cret@10.0.0.1:7000,10.0.0.2:7001,node-3?partitions=8&wait=1';
    expect(parseBrokerUrl(url)).toEqual({ href: url, kind: 'redis', partitions: 8 });
    expect(parseRedisClusterUrl(url.split('?')[0]!)).toEqual({
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 7001 },
        { host: 'node-3', port: 6379 },
      ],
      username: 'app',
      password: 's@cret',
    });
    expect(() => parseBrokerUrl('redis-cluster://h1:7000?partitions=0')).toThrow(/partitions=0/);
  });

  it('hashes keys to the slots Redis Cluster does, by their hash tag', () => {
    // Test vectors of the Redis Cluster specification (CRC16/XMODEM of "123456789" is 0x31C3).
    expect(keySlot('123456789')).toBe(0x31c3);
    expect(keySlot('foo')).toBe(12182);
    expect(keySlot('{user1000}.following')).toBe(keySlot('user1000'));
    expect(keySlot('{app.2}:live:rooms/a')).toBe(keySlot('{app.2}:seq'));
  });

  it('keeps the keys of one log on plain redis exactly as they were', async () => {
    const prefix = uniquePrefix('layout');
    const broker = await createBroker(redis.url, { prefix });
    const tracker = createPresenceTracker({ broker, nodeId: 'node-a', ttlS: 30, autoRefresh: false });
    await broker.publish([{ topic: 'rooms/a', type: 'test.n', data: { n: 0 } }]);
    await tracker.join('rooms/a', 'ana');
    const keys = (await admin.keys(`${prefix}*`)).sort();
    await tracker.close();
    await broker.close();
    expect(keys.filter((key) => !key.startsWith(`${prefix}:p:`))).toEqual([`${prefix}:epoch`, `${prefix}:m:rooms/a`, `${prefix}:seq`, `${prefix}:t:rooms/a`]);
    expect(keys.filter((key) => key.startsWith(`${prefix}:p:`))).not.toEqual([]);
  });

  it('puts each of four logs under its own hash tag and serves them over one commands and one live connection', async () => {
    const prefix = uniquePrefix('layout');
    const connections = async (): Promise<string[]> =>
      (await admin.client('LIST') as string).split('\n').flatMap((line) => /name=(ssehub-\S+)/.exec(line)?.[1] ?? []).sort();
    const before = await connections();
    const broker = await createBroker(`${redis.url}?partitions=4`, { prefix });
    const topics = ['rooms/a', 'rooms/b', 'rooms/c', 'rooms/d', 'rooms/e', 'rooms/f'];
    await Promise.all(topics.map((topic) => broker.subscribe({ topics: [topic] }, { onEvent: () => {} })));
    await broker.publish(topics.map((topic, n) => ({ topic, type: 'test.n', data: { n } })));
    const opened = await connections();
    const keys = await admin.keys(`*${prefix}*`);
    await broker.close();
    expect(keys.filter((key) => !/^\{[^}]+\.[0-3]\}:/.test(key))).toEqual([]);
    expect(new Set(keys.map((key) => key.slice(0, key.indexOf('}') + 1))).size).toBeGreaterThan(1);
    const added = [...opened];
    for (const name of before) added.splice(added.indexOf(name), 1);
    expect(added).toEqual(['ssehub-commands', 'ssehub-live']);
  });
});

describeBrokerConformance({ name: 'redis, 4 partitions', create: (options) => createBroker(`${redis.url}?partitions=4`, options) });
describePartitionConformance({
  name: 'redis',
  create: ({ partitions, ...options }) => createBroker(`${redis.url}?partitions=${partitions}`, options),
});
