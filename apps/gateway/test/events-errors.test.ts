import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type GatewayHarness } from './gateway-harness.js';

describe('GET /v1/events refuses bad requests with a JSON error', () => {
  let gateway: GatewayHarness;
  beforeAll(async () => {
    gateway = await startGateway();
  });
  afterAll(() => gateway.close());

  const cases: [string, string, Record<string, string>, number, string][] = [
    ['no topic', '', {}, 400, 'invalid_topic'],
    ['a topic with ..', 'topic=rooms/..', {}, 400, 'invalid_topic'],
    ['a NATS wildcard', 'topic=rooms.>', {}, 400, 'invalid_topic'],
    ['a glob', 'topic=rooms/*', {}, 400, 'invalid_topic'],
    ['spaces', 'topic=rooms%2Fa%20b', {}, 400, 'invalid_topic'],
    ['unicode', 'topic=r%C3%A9union', {}, 400, 'invalid_topic'],
    ['nine segments', `topic=${'a/'.repeat(8)}a`, {}, 400, 'invalid_topic'],
    ['a 100 KB topic', `topic=${'a'.repeat(100_000)}`, {}, 431, 'headers_too_large'],
    ['a 10 KB topic', `topic=${'a'.repeat(10_000)}`, {}, 400, 'invalid_topic'],
    ['more topics than allowed', 'topic=a&topic=b&topic=c&topic=d&topic=e', {}, 400, 'invalid_topic'],
    ['a garbage Last-Event-ID', 'topic=a', { 'last-event-id': 'garbage' }, 400, 'invalid_cursor'],
    ['a huge Last-Event-ID', 'topic=a', { 'last-event-id': `e-${'9'.repeat(5000)}` }, 400, 'invalid_cursor'],
    ['a duplicated lastEventId', 'topic=a&lastEventId=a-1&lastEventId=a-2', {}, 400, 'invalid_cursor'],
    ['an Accept it cannot serve', 'topic=a', { accept: 'application/json' }, 406, 'not_acceptable'],
  ];

  it.each(cases)('answers %s', async (_name, query, headers, status, code) => {
    const response = await fetch(`${gateway.url}/v1/events?${query}`, { headers });
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe(code);
    expect(body.error.message).toEqual(expect.any(String));
  });

  it('answers 405 to a POST', async () => {
    const response = await fetch(`${gateway.url}/v1/events?topic=a`, { method: 'POST' });
    expect(response.status).toBe(405);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('method_not_allowed');
  });

  // A front proxy that filters by path prefix must see what the gateway serves: the raw path is routed.
  it.each(['//evil/v1/events?topic=rooms/a', '//x/v1/admin/nodes', '/v1/x/../events?topic=rooms/a', '/v1/events/?topic=rooms/a', '/v1//events?topic=a'])(
    'answers 404 JSON to %s, a path that only a re-parse would turn into a route',
    async (path) => {
      const { status, type, body } = await rawGet(gateway.url, path);
      expect(status).toBe(404);
      expect(type).toBe('application/json; charset=utf-8');
      expect(JSON.parse(body).error.code).toBe('not_found');
    },
  );

  it('keeps serving after every bad request', async () => {
    const response = await fetch(`${gateway.url}/v1/events?topic=rooms/ok`);
    expect(response.status).toBe(200);
    await response.body?.cancel();
  });
});

/** A GET with the path exactly as given (fetch would normalise it). */
function rawGet(base: string, path: string): Promise<{ status: number; type: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(base, { path, headers: { accept: 'text/event-stream' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body }));
    });
    req.on('error', reject);
    req.end();
  });
}
