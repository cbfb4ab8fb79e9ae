import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { startNats, startRedis, type NatsServer, type RedisServer } from '@ssehub/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countNatsStreams, countRedisLogs } from './log-count.js';

// S7 marks a step "not partitioned" from these counts, so they are checked against real servers.

describe('countRedisLogs', () => {
  let server: RedisServer;
  let redis: Redis;
  beforeAll(async () => {
    server = await startRedis();
    redis = new Redis({ port: server.port, host: '127.0.0.1' });
  });
  afterAll(async () => {
    redis.disconnect();
    await server.stop();
  });

  it('counts no log for a prefix with no keys, and one for keys without a hash tag', async () => {
    expect(await countRedisLogs([server.port], 'lc-none')).toBe(0);
    await redis.set('lc-one:seq', '1');
    await redis.xadd('lc-one:t:rooms/a', '1-0', 'e', '{}');
    expect(await countRedisLogs([server.port], 'lc-one')).toBe(1);
  });

  it('counts each distinct hash tag among the prefix keys as one log', async () => {
    for (const partition of [0, 1, 2]) {
      await redis.set(`{lc-tags:${partition}}:seq`, '1');
      await redis.xadd(`{lc-tags:${partition}}:t:rooms/${partition}`, '1-0', 'e', '{}');
    }
    expect(await countRedisLogs([server.port], 'lc-tags')).toBe(3);
  });
});

describe('countNatsStreams', () => {
  let server: NatsServer;
  beforeAll(async () => {
    server = await startNats();
  });
  afterAll(async () => {
    await server.stop();
  });

  it('counts the streams named after the prefix that hold events, not an empty one beside them', async () => {
    const nc = await connect({ servers: server.url });
    const manager = await jetstreamManager(nc);
    for (const [name, subject, publish] of [['LC-NATS_0', 'lc-nats-0.>', true], ['LC-NATS_1', 'lc-nats-1.>', true], ['LC-NATS_PRESENCE', 'lc-nats-p.>', false]] as const) {
      await manager.streams.add({ name, subjects: [subject] });
      if (publish) await manager.jetstream().publish(subject.replace('>', 'x'), '{}');
    }
    await nc.close();
    expect(await countNatsStreams([server.url], 'lc-nats')).toBe(2);
    expect(await countNatsStreams([server.url], 'lc-other')).toBe(0);
  });
});
