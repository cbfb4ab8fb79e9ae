import { decodeCursor, encodeCursor } from '@ssehub/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, postJson, readJson, startIngest, type TestIngest } from './harness.js';

let ingest: TestIngest;
let ids: string[] = [];
const topic = 'users/42/notifications';
const historyUrl = (query = ''): string => `${ingest.url}/v1/topics/${topic}/history${query}`;

beforeAll(async () => {
  ingest = await startIngest();
  const events = Array.from({ length: 5 }, (_, n) => ({ topic, type: 'notice', data: { n } }));
  const acks = await readJson(await postJson(`${ingest.url}/v1/publish`, { events }));
  ids = (acks.events as Array<{ id: string }>).map((ack) => ack.id);
  await postJson(`${ingest.url}/v1/publish`, { topic: 'users/42', type: 'other', data: 0 });
});
afterAll(() => ingest.close());

describe('GET /v1/topics/{topic}/history', () => {
  it('returns the most recent events of a multi-segment topic as envelopes without seq', async () => {
    const response = await fetch(historyUrl());
    expect(response.status).toBe(200);
    const body = await readJson(response);
    expect(body.topic).toBe(topic);
    expect(body.truncated).toBe(false);
    const events = body.events as Array<Record<string, unknown>>;
    expect(events.map((event) => event.id)).toEqual(ids);
    for (const [n, event] of events.entries()) {
      expect(Object.keys(event).sort()).toEqual(['data', 'id', 'topic', 'ts', 'type']);
      expect(event).toMatchObject({ topic, type: 'notice', data: { n } });
    }
  });

  it('pages with after and limit', async () => {
    const latest = await readJson(await fetch(historyUrl('?limit=2')));
    expect((latest.events as Array<{ id: string }>).map((event) => event.id)).toEqual(ids.slice(3));
    const after = await readJson(await fetch(historyUrl(`?after=${ids[1]}&limit=2`)));
    expect((after.events as Array<{ id: string }>).map((event) => event.id)).toEqual(ids.slice(2, 4));
    const blank = await readJson(await fetch(historyUrl('?after=&limit=')));
    expect(blank.events).toHaveLength(5);
  });

  it('marks a page from another epoch as truncated', async () => {
    const foreign = encodeCursor({ epoch: 'other', positions: [decodeCursor(ids[0]!)!.positions[0]!] });
    const body = await readJson(await fetch(historyUrl(`?after=${foreign}`)));
    expect(body.truncated).toBe(true);
    expect(body.events).toHaveLength(5);
  });

  it('answers an empty page for a topic nobody published to', async () => {
    const body = await readJson(await fetch(`${ingest.url}/v1/topics/nothing-here/history`));
    expect(body).toEqual({ topic: 'nothing-here', events: [], truncated: false });
  });

  it('rejects a malformed cursor with invalid_cursor', async () => {
    for (const after of ['zz', 'abc-', '-1', 'abc-1.2', 'a'.repeat(300) + '-1', 'ABC-1']) {
      await expectError(await fetch(historyUrl(`?after=${encodeURIComponent(after)}`)), 400, 'invalid_cursor');
    }
  });

  it('rejects a limit outside 1..1000', async () => {
    for (const limit of ['0', '1001', 'abc', '-1', '1.5', '99999999999999999999']) {
      expect(await expectError(await fetch(historyUrl(`?limit=${limit}`)), 400, 'bad_request')).toMatch(/limit/);
    }
    expect((await fetch(historyUrl('?limit=1000'))).status).toBe(200);
  });

  it('rejects duplicated query parameters instead of crashing', async () => {
    expect(await expectError(await fetch(historyUrl('?limit=1&limit=2')), 400, 'bad_request')).toMatch(/"limit"/);
    expect(await expectError(await fetch(historyUrl(`?after=${ids[0]}&after=${ids[1]}`)), 400, 'bad_request')).toMatch(/"after"/);
  });

  it('rejects an invalid topic with invalid_topic', async () => {
    for (const path of ['a.b', 'a//b', 'a/b/c/d/e/f/g/h/i', 'a%20b', 'a%2F%2Fb']) {
      await expectError(await fetch(`${ingest.url}/v1/topics/${path}/history`), 400, 'invalid_topic');
    }
  });

  it('answers HEAD like GET and other methods with 405', async () => {
    expect((await fetch(historyUrl(), { method: 'HEAD' })).status).toBe(200);
    const response = await fetch(historyUrl(), { method: 'DELETE' });
    await expectError(response, 405, 'method_not_allowed');
    expect(response.headers.get('allow')).toBe('GET, HEAD');
  });
});
