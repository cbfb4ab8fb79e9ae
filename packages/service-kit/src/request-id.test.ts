import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { assignRequestId, logRequest } from './request-id.js';

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('request ids', () => {
  it('keeps a sane incoming X-Request-Id and echoes it', async () => {
    const url = await serve((req, res) => res.end(assignRequestId(req, res)));
    const response = await fetch(url, { headers: { 'x-request-id': 'lb-42.abc:1' } });
    expect(response.headers.get('x-request-id')).toBe('lb-42.abc:1');
    expect(await response.text()).toBe('lb-42.abc:1');
  });

  it.each([['a space'], ['x'.repeat(129)], ['new\\nline']])('replaces an unusable incoming id (%s) with a UUID', async (given) => {
    const url = await serve((req, res) => res.end(assignRequestId(req, res)));
    const response = await fetch(url, { headers: { 'x-request-id': given } });
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('logs one JSON line per request with the id, the path without its query, status and duration', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ base: null }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const url = await serve((req, res) => {
      logRequest(req, res, logger);
      res.statusCode = 503;
      res.end();
    });
    const response = await fetch(`${url}/v1/events?access_token=secret`, { headers: { 'x-request-id': 'r-1' } });
    await response.arrayBuffer();
    // The line is written when the response finishes, which may be after the client read it.
    await expect.poll(() => lines).toEqual([expect.objectContaining({ reqId: 'r-1', method: 'GET', path: '/v1/events', status: 503, level: 40 })]);
    expect(JSON.stringify(lines)).not.toContain('secret');
  });
});
