import { startRedis, type RedisServer } from '@ssehub/testkit';
import { describe, expect, it } from 'vitest';
import { storedEnvelopeJson } from '../src/envelope-json.js';
import { createRedisBroker } from '../src/redis.js';
import { useBackend } from './helpers/backend-fixture.js';
import { collect, expectSequence } from '../src/testing/collect.js';
import { range } from '../src/testing/numbered.js';
import { expectTrustedIdempotency, expectTrustedPublishesDelivered, expectTrustedValidation } from './helpers/trusted-publish.js';

describe('a trusted backend publishing straight through the broker over redis', () => {
  const redis = useBackend('trusted', () => startRedis(), (server: RedisServer, prefix) => createRedisBroker({ url: server.url, prefix }));

  it('publishes one event and batches with ingest’s answers, each delivered once, in order', async () => {
    await expectTrustedPublishesDelivered(await redis.open(), await redis.open());
  });

  it('refuses what ingest refuses, with the same codes and messages, publishing none of it', async () => {
    await expectTrustedValidation(await redis.open());
  });

  it('scopes idempotency keys as ingest does and answers a retry on another node with the original', async () => {
    await expectTrustedIdempotency(await redis.open(), await redis.open());
  });

  it('hands subscribers the stored envelope text, the same JSON a serialisation of the event gives', async () => {
    const broker = await redis.open();
    const sub = await collect(broker, ['rooms/a']);
    const data = [{ n: 0, text: 'ünïcödé ✓ \u2028 "quoted"' }, { n: 1, nested: { a: [1, 2.5, -0, 1e21, null] } }, { n: 2, s: 'x'.repeat(1000) }];
    await broker.publish(data.map((d) => ({ topic: 'rooms/a', type: 'test.n', data: d })));
    await sub.waitFor(3);
    expectSequence(sub.events, range(0, 3));
    for (const event of sub.events) {
      const { id, topic, type, data: eventData, ts } = event;
      expect(storedEnvelopeJson(event)).toBe(JSON.stringify({ id, topic, type, data: eventData, ts }));
    }
    const page = await broker.history('rooms/a', { limit: 10 });
    for (const event of page.events) {
      const { id, topic, type, data: eventData, ts } = event;
      expect(storedEnvelopeJson(event)).toBe(JSON.stringify({ id, topic, type, data: eventData, ts }));
    }
  });
});
