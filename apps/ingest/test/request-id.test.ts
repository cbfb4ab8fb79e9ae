import { afterEach, describe, expect, it } from 'vitest';
import { startIngest, type TestIngest } from './harness.js';

let ingest: TestIngest | undefined;
afterEach(async () => {
  await ingest?.close();
  ingest = undefined;
});

describe('request ids on ingest', () => {
  it('echoes the caller\'s X-Request-Id and puts it on the warning line of a failed request', async () => {
    ingest = await startIngest();
    await ingest.broker.close();
    const response = await fetch(`${ingest.url}/v1/publish`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'edge-77' },
      body: JSON.stringify({ topic: 'rooms/a', type: 'test.n', data: {} }),
    });
    expect(response.status).toBe(503);
    expect(response.headers.get('x-request-id')).toBe('edge-77');
    // The line is written when the response finishes, which may be after the client read it.
    const { logs } = ingest;
    await expect.poll(() => logs).toContainEqual(expect.objectContaining({ reqId: 'edge-77', method: 'POST', path: '/v1/publish', status: 503 }));
  });

  it('makes one up when the request has none, also for errors answered before any route', async () => {
    ingest = await startIngest();
    const response = await fetch(`${ingest.url}/v1/nowhere`);
    expect(response.status).toBe(404);
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
