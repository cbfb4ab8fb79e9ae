import { decodeCursor } from '@ssehub/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect } from '@ssehub/testkit';
import { expectError, postJson, readJson, startIngest, type TestIngest } from './harness.js';

let ingest: TestIngest;
beforeAll(async () => {
  ingest = await startIngest();
});
afterAll(() => ingest.close());

const seqOf = (id: unknown): number => decodeCursor(String(id))!.positions[0]!;

describe('POST /v1/publish', () => {
  it('acknowledges with 201 and the id the subscriber then receives', async () => {
    const subscriber = await collect(ingest.broker, ['pub/one']);
    const response = await postJson(`${ingest.url}/v1/publish`, { topic: 'pub/one', type: 'order.created', data: { n: 1 } });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-powered-by')).toBeNull();
    const ack = await readJson(response);
    expect(ack).toEqual({ id: expect.any(String), topic: 'pub/one', type: 'order.created' });
    const [event] = await subscriber.waitFor(1);
    expect(event).toMatchObject({ id: ack.id, topic: 'pub/one', type: 'order.created', data: { n: 1 } });
    subscriber.close();
  });

  it('appends a batch in order with strictly increasing ids', async () => {
    const subscriber = await collect(ingest.broker, ['pub/batch-a', 'pub/batch-b']);
    const events = Array.from({ length: 20 }, (_, n) => ({ topic: n % 2 ? 'pub/batch-a' : 'pub/batch-b', type: 'tick', data: { n } }));
    const response = await postJson(`${ingest.url}/v1/publish`, { events });
    expect(response.status).toBe(201);
    const acks = (await readJson(response)).events as Array<{ id: string; topic: string; type: string }>;
    expect(acks.map(({ topic, type }) => ({ topic, type }))).toEqual(events.map(({ topic, type }) => ({ topic, type })));
    const seqs = acks.map((ack) => seqOf(ack.id));
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBe(seqs[i - 1]! + 1);
    const received = await subscriber.waitFor(20);
    expect(received.map((event) => event.id)).toEqual(acks.map((ack) => ack.id));
    expect(received.map((event) => (event.data as { n: number }).n)).toEqual(events.map((_, n) => n));
    subscriber.close();
  });

  it('returns the original id for a retry with the same Idempotency-Key and stores the event once', async () => {
    const body = { topic: 'pub/idem', type: 'payment.captured', data: { amount: 5 } };
    const headers = { 'idempotency-key': 'payment-7f3a' };
    const first = await postJson(`${ingest.url}/v1/publish`, body, headers);
    const retry = await postJson(`${ingest.url}/v1/publish`, body, headers);
    expect([first.status, retry.status]).toEqual([201, 201]);
    const [a, b] = [await readJson(first), await readJson(retry)];
    expect(b.id).toBe(a.id);
    const history = await readJson(await fetch(`${ingest.url}/v1/topics/pub/idem/history`));
    expect((history.events as unknown[]).length).toBe(1);
  });

  it('validates data by the schema registered for its type and publishes the parsed data', async () => {
    const bad = await postJson(`${ingest.url}/v1/publish`, { topic: 'rooms/x', type: 'chat.message', data: { text: '' } });
    expect(await expectError(bad, 400, 'invalid_event')).toMatch(/^data\.text: /);
    const good = await postJson(`${ingest.url}/v1/publish`, {
      topic: 'rooms/x',
      type: 'chat.message',
      data: { text: '  hi  ', author: 'ann', extra: true },
    });
    expect(good.status).toBe(201);
    const history = await readJson(await fetch(`${ingest.url}/v1/topics/rooms/x/history`));
    expect((history.events as Array<{ data: unknown }>)[0]!.data).toEqual({ text: 'hi', author: 'ann' });
  });

  it('names the field of a batch event that breaks its schema', async () => {
    const events = [
      { topic: 'pub/ok', type: 'x', data: 1 },
      { topic: 'pub/ok', type: 'chat.message', data: { text: 'hi' } },
    ];
    const response = await postJson(`${ingest.url}/v1/publish`, { events });
    expect(await expectError(response, 400, 'invalid_event')).toMatch(/^events\.1\.data\.author: /);
    const history = await readJson(await fetch(`${ingest.url}/v1/topics/pub/ok/history`));
    expect(history.events).toEqual([]);
  });

  it('rejects bad topics with invalid_topic naming the field', async () => {
    for (const topic of ['a.b', 'a/../b', 'a//b', '', 'a/b/c/d/e/f/g/h/i', 'x'.repeat(65), 42]) {
      const response = await postJson(`${ingest.url}/v1/publish`, { topic, type: 'x', data: 1 });
      expect(await expectError(response, 400, 'invalid_topic')).toMatch(/^topic: /);
    }
    const batch = await postJson(`${ingest.url}/v1/publish`, { events: [{ topic: 'ok', type: 'x', data: 1 }, { topic: 'no*', type: 'x', data: 1 }] });
    expect(await expectError(batch, 400, 'invalid_topic')).toMatch(/^events\.1\.topic: /);
  });

  it('rejects bad event types, missing data and reserved control types with invalid_event', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ topic: 't', type: 'bad type', data: 1 }, /^type: /],
      [{ topic: 't', type: 'ssehub.ready', data: 1 }, /^type: .*reserved/],
      [{ topic: 't', type: 'x' }, /^data: /],
      [{ events: [] }, /^events: /],
      [{ events: Array.from({ length: 101 }, () => ({ topic: 't', type: 'x', data: 1 })) }, /^events: /],
    ];
    for (const [body, message] of cases) {
      expect(await expectError(await postJson(`${ingest.url}/v1/publish`, body), 400, 'invalid_event')).toMatch(message);
    }
  });

  it('rejects an Idempotency-Key that is empty, too long or not visible ASCII', async () => {
    const body = { topic: 't', type: 'x', data: 1 };
    for (const key of ['', 'k'.repeat(201), 'has space', 'tab\tkey']) {
      await expectError(await postJson(`${ingest.url}/v1/publish`, body, { 'idempotency-key': key }), 400, 'bad_request');
    }
    expect((await postJson(`${ingest.url}/v1/publish`, body, { 'idempotency-key': 'k'.repeat(200) })).status).toBe(201);
  });
});
