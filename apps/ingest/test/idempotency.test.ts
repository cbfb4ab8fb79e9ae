import { createBroker } from '@ssehub/broker';
import { startNats, startRedis } from '@ssehub/testkit';
import { SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { expectError, postJson, readJson, startIngest, testAccess, type TestIngest } from './harness.js';

const SECRET = 'a-test-secret-of-at-least-32-characters!';
const KEY = { 'idempotency-key': 'order-1234-shipped' };

async function bearer(sub: string): Promise<Record<string, string>> {
  const claims = { ssehub: { publish: ['users/{sub}/**'], subscribe: ['users/{sub}/**'] } };
  const token = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setExpirationTime('5m').sign(new TextEncoder().encode(SECRET));
  return { authorization: `Bearer ${token}` };
}

describe('Idempotency-Key scoped to its caller', () => {
  let ingest: TestIngest;
  afterEach(() => ingest.close());
  const publish = (body: unknown, headers: Record<string, string>) => postJson(`${ingest.url}/v1/publish`, body, headers);
  const historyData = async (topic: string, headers: Record<string, string> = {}) =>
    ((await readJson(await fetch(`${ingest.url}/v1/topics/${topic}/history`, { headers }))).events as Array<{ id: string; data: unknown }>).map(
      (event) => [event.id, event.data],
    );

  it('gives two token subjects using the same key each their own event', async () => {
    ingest = await startIngest({ access: testAccess({ JWT_SECRET: SECRET }) });
    const [mallory, alice] = [await bearer('mallory'), await bearer('alice')];
    const squat = await publish({ topic: 'users/mallory/x', type: 'order.squat', data: 1 }, { ...mallory, ...KEY });
    const real = await publish({ topic: 'users/alice/orders', type: 'order.shipped', data: { order: 1234 } }, { ...alice, ...KEY });
    expect([squat.status, real.status]).toEqual([201, 201]);
    const ack = await readJson(real);
    expect(ack).toMatchObject({ topic: 'users/alice/orders', type: 'order.shipped' });
    expect(ack.id).not.toBe((await readJson(squat)).id);
    expect(await historyData('users/alice/orders', alice)).toEqual([[ack.id, { order: 1234 }]]);
  });

  it('gives two anonymous client addresses using the same key each their own event', async () => {
    ingest = await startIngest({ limits: { TRUST_PROXY_HOPS: 1 } });
    const body = (from: string) => ({ topic: 'rooms/idem', type: 'note', data: { from } });
    const first = await publish(body('10.0.0.1'), { ...KEY, 'x-forwarded-for': '10.0.0.1' });
    const second = await publish(body('10.0.0.2'), { ...KEY, 'x-forwarded-for': '10.0.0.2' });
    const retried = await publish(body('10.0.0.2'), { ...KEY, 'x-forwarded-for': '10.0.0.2' });
    const [a, b, c] = [await readJson(first), await readJson(second), await readJson(retried)];
    expect([first.status, second.status, retried.status]).toEqual([201, 201, 201]);
    expect(c.id).toBe(b.id);
    expect(await historyData('rooms/idem')).toEqual([
      [a.id, { from: '10.0.0.1' }],
      [b.id, { from: '10.0.0.2' }],
    ]);
  });

  it('refuses one caller reusing a key for a different event or batch with 409 idempotency_conflict', async () => {
    ingest = await startIngest();
    const event = { topic: 'pay/1', type: 'payment.captured', data: { amount: 5 } };
    const original = await readJson(await publish(event, KEY));
    for (const reuse of [{ ...event, data: { amount: 500 } }, { ...event, type: 'payment.refunded' }, { events: [event, event] }]) {
      expect(await expectError(await publish(reuse, KEY), 409, 'idempotency_conflict')).toMatch(/already used for a different request/);
    }
    expect(await readJson(await publish(event, KEY))).toEqual(original);
    expect(await historyData('pay/1')).toEqual([[original.id, { amount: 5 }]]);
  });
});

describe.each([
  ['redis', startRedis],
  ['nats', startNats],
] as const)('Idempotency-Key over %s, across two ingest nodes', (_name, startServer) => {
  it('keeps two callers apart, answers a retry on the other node with the original, and refuses a reuse', async () => {
    const server = await startServer();
    const prefix = `idem${Date.now().toString(36)}`;
    const access = testAccess({ JWT_SECRET: SECRET });
    const nodes = [
      await startIngest({ access, broker: await createBroker(server.url, { prefix }) }),
      await startIngest({ access, broker: await createBroker(server.url, { prefix }) }),
    ];
    try {
      const [a, b] = nodes.map((node) => (body: unknown, headers: Record<string, string>) => postJson(`${node.url}/v1/publish`, body, headers));
      const [alice, bob] = [await bearer('alice'), await bearer('bob')];
      const order = { topic: 'users/alice/orders', type: 'order.shipped', data: { order: 1234 } };
      const first = await a!(order, { ...alice, ...KEY });
      const other = await b!({ topic: 'users/bob/orders', type: 'order.squat', data: 1 }, { ...bob, ...KEY });
      const retry = await b!(order, { ...alice, ...KEY });
      expect([first.status, other.status, retry.status]).toEqual([201, 201, 201]);
      const [ack, otherAck, retryAck] = [await readJson(first), await readJson(other), await readJson(retry)];
      expect(otherAck).toMatchObject({ topic: 'users/bob/orders', type: 'order.squat' });
      expect(retryAck).toEqual(ack);
      expect(await expectError(await b!({ ...order, data: { order: 9999 } }, { ...alice, ...KEY }), 409, 'idempotency_conflict')).toMatch(/different request/);
      const page = await readJson(await fetch(`${nodes[0]!.url}/v1/topics/users/alice/orders/history`, { headers: alice }));
      expect((page.events as Array<{ id: string; data: unknown }>).map((event) => [event.id, event.data])).toEqual([[ack.id, { order: 1234 }]]);
    } finally {
      await Promise.all(nodes.map((node) => node.close()));
      await server.stop();
    }
  });
});
