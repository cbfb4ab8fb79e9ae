// Regression: an `Idempotency-Key` belongs to the caller who sent it. Once, keys were shared by every
// caller: Bob publishing with a key Alice used got her answer back (her event id, private topic and
// type) and his event was silently dropped; a guessable key used first made the victim's later publish
// answer 201 without ever being appended. Keys are now scoped to the token subject (or, anonymous, the
// client address), and one caller reusing a key for another request gets 409 `idempotency_conflict`.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seqOf } from './support/hostile.js';
import { E2E_JWT_SECRET, bearer, signJwt } from './support/jwt.js';
import { startStandalone, type StandaloneProcess } from './support/standalone.js';

const KEY = 'order-1234-shipped';

let server: StandaloneProcess;

const tokenOf = (user: string): string =>
  signJwt(user, { ssehub: { publish: [`users/${user}/**`], subscribe: [`users/${user}/**`] } });

interface Answer {
  readonly status: number;
  readonly body: Record<string, any>;
}

/** POSTs a publish from `localAddress` (any 127.x address reaches the loopback listener). */
function publish(body: unknown, headers: Record<string, string>, localAddress = '127.0.0.1'): Promise<Answer> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(`${server.url}/v1/publish`, {
      method: 'POST',
      agent: false,
      localAddress,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...headers },
    });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, any> }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

async function historyOf(topic: string, headers: Record<string, string> = {}): Promise<{ id: string; type: string; data: unknown }[]> {
  const response = await fetch(`${server.url}/v1/topics/${topic}/history?limit=100`, { headers });
  expect(response.status).toBe(200);
  return ((await response.json()) as { events: { id: string; type: string; data: unknown }[] }).events;
}

beforeAll(async () => {
  server = await startStandalone({ JWT_SECRET: E2E_JWT_SECRET });
});

afterAll(async () => {
  await server?.stop();
});

describe('idempotency keys under a hostile caller', () => {
  it('gives two token subjects using one key each their own event, whoever came first', async () => {
    const mallory = await publish(
      { topic: 'users/mallory/inbox', type: 'order.squat', data: { squat: true } },
      { ...bearer(tokenOf('mallory')), 'idempotency-key': KEY },
    );
    const alice = await publish(
      { topic: 'users/alice/orders', type: 'order.shipped', data: { order: 1234 } },
      { ...bearer(tokenOf('alice')), 'idempotency-key': KEY },
    );
    expect([mallory.status, alice.status]).toEqual([201, 201]);
    expect(alice.body).toMatchObject({ topic: 'users/alice/orders', type: 'order.shipped' });
    expect(mallory.body).toMatchObject({ topic: 'users/mallory/inbox', type: 'order.squat' });
    expect(seqOf(alice.body.id)).toBeGreaterThan(seqOf(mallory.body.id));

    // Alice's event was really appended, exactly once, under the id she was answered.
    const stored = await historyOf('users/alice/orders', bearer(tokenOf('alice')));
    expect(stored.map((event) => [event.id, event.type, event.data])).toEqual([[alice.body.id, 'order.shipped', { order: 1234 }]]);
  });

  it('gives two anonymous client addresses using one key each their own event', async () => {
    const first = await publish({ topic: 'rooms/idem', type: 'chat.note', data: { from: 1 } }, { 'idempotency-key': KEY }, '127.0.0.1');
    const second = await publish({ topic: 'rooms/idem', type: 'chat.note', data: { from: 2 } }, { 'idempotency-key': KEY }, '127.0.0.2');
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(second.body.id).not.toBe(first.body.id);
    const stored = await historyOf('rooms/idem');
    expect(stored.map((event) => [seqOf(event.id), event.data])).toEqual([
      [seqOf(first.body.id), { from: 1 }],
      [seqOf(second.body.id), { from: 2 }],
    ]);
  });

  it('answers a retry with the original event and refuses the key for a different request with 409', async () => {
    const headers = { ...bearer(tokenOf('carol')), 'idempotency-key': 'carol-retry-1' };
    const body = { topic: 'users/carol/orders', type: 'order.paid', data: { amount: 10 } };
    const original = await publish(body, headers);
    const retried = await publish(body, headers);
    const changed = await publish({ ...body, data: { amount: 1000 } }, headers);
    expect([original.status, retried.status, changed.status]).toEqual([201, 201, 409]);
    expect(retried.body).toEqual(original.body);
    expect(changed.body.error.code).toBe('idempotency_conflict');
    expect(changed.body.error.message).toMatch(/already used for a different request/);

    const stored = await historyOf('users/carol/orders', bearer(tokenOf('carol')));
    expect(stored.map((event) => [seqOf(event.id), event.data])).toEqual([[seqOf(original.body.id), { amount: 10 }]]);
  });
});
