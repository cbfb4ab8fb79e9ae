import { createBroker, publishRequest } from '@ssehub/broker';
import { SsehubError } from '@ssehub/protocol';
import { collect, startNats, startRedis } from '@ssehub/testkit';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { expectError, postJson, readJson, startIngest, testAccess } from './harness.js';

const SECRET = 'a-test-secret-of-at-least-32-characters!';
const TOPIC = 'users/alice/orders';

async function bearer(sub: string): Promise<Record<string, string>> {
  const claims = { ssehub: { publish: ['users/{sub}/**'], subscribe: ['users/{sub}/**'] } };
  const token = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setExpirationTime('5m').sign(new TextEncoder().encode(SECRET));
  return { authorization: `Bearer ${token}` };
}

describe.each([
  ['redis', startRedis],
  ['nats', startNats],
] as const)('a trusted backend publishing through the broker beside ingest over %s', (_name, startServer) => {
  it('gets ingest’s ids, idempotency and refusals, and every event of both paths is delivered once, in order', async () => {
    const server = await startServer();
    const prefix = `trust${Date.now().toString(36)}`;
    const ingest = await startIngest({ access: testAccess({ JWT_SECRET: SECRET }), broker: await createBroker(server.url, { prefix }) });
    const backend = await createBroker(server.url, { prefix });
    try {
      const sub = await collect(ingest.broker, [TOPIC]);
      const alice = await bearer('alice');
      const event = (n: number) => ({ topic: TOPIC, type: 'order.shipped', data: { n } });
      // Alternating paths, one after the other: the log's order is the order of the acks.
      const acks: unknown[] = [];
      for (let n = 1; n <= 10; n++) {
        if (n % 2 === 1) acks.push(await readJson(await postJson(`${ingest.url}/v1/publish`, event(n), alice)));
        else acks.push(await publishRequest(backend, event(n), { caller: 'sub:alice' }));
      }
      const received = await sub.waitFor(10);
      expect(received.map((stored) => (stored.data as { n: number }).n)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect(received.map(({ id, topic, type }) => ({ id, topic, type }))).toEqual(acks);

      // The same caller and key over HTTP and through the broker is one event.
      const key = { 'idempotency-key': 'order-1234-shipped' };
      const overHttp = await readJson(await postJson(`${ingest.url}/v1/publish`, event(11), { ...alice, ...key }));
      const retried = await publishRequest(backend, event(11), { caller: 'sub:alice', idempotencyKey: 'order-1234-shipped' });
      expect(retried).toEqual(overHttp);

      // A body ingest refuses is refused with the same code and message.
      const bad = { topic: TOPIC, type: 'ssehub.reset', data: 1 };
      const httpMessage = await expectError(await postJson(`${ingest.url}/v1/publish`, bad, alice), 400, 'invalid_event');
      const thrown = await publishRequest(backend, bad, { caller: 'sub:alice' }).catch((error: unknown) => error);
      expect(thrown).toBeInstanceOf(SsehubError);
      expect(thrown).toMatchObject({ code: 'invalid_event', message: httpMessage });

      // The sentinel follows alone: the retry and the refusal appended nothing.
      await publishRequest(backend, event(12), { caller: 'sub:alice' });
      expect((await sub.waitFor(12)).map((stored) => (stored.data as { n: number }).n)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
      sub.close();
    } finally {
      await backend.close();
      await ingest.close();
      await server.stop();
    }
  });
});
