import { gzipSync } from 'node:zlib';
import { createMemoryBroker, type Broker } from '@ssehub/broker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, postJson, readJson, startIngest, type TestIngest } from './harness.js';

let ingest: TestIngest;
let publishUrl: string;
beforeAll(async () => {
  ingest = await startIngest();
  publishUrl = `${ingest.url}/v1/publish`;
});
afterAll(() => ingest.close());

const TEN_MB = 10 * 1024 * 1024;
const event = { topic: 'errors/after', type: 'check', data: { ok: true } };

describe('error answers', () => {
  it('answers malformed and truncated JSON with 400 bad_request', async () => {
    for (const body of ['{"topic": "a", "type": "x", "data": ', '{"topic":', 'not json', '{"a":1}}', "{'a':1}"]) {
      expect(await expectError(await postJson(publishUrl, body), 400, 'bad_request')).toMatch(/^the body is not valid JSON: /);
    }
    for (const body of ['null', '"text"', '42']) {
      expect(await expectError(await postJson(publishUrl, body), 400, 'bad_request')).toBe('the body must be a JSON object');
    }
    for (const body of ['', ' \n']) {
      expect(await expectError(await postJson(publishUrl, body), 400, 'bad_request')).toMatch(/^the body is empty/);
    }
    await expectError(await postJson(publishUrl, [event]), 400, 'bad_request');
  });

  it('answers a 10 MB body with 413 payload_too_large, declared or streamed', async () => {
    const declared = await postJson(publishUrl, Buffer.alloc(TEN_MB, 0x20));
    expect(await expectError(declared, 413, 'payload_too_large')).toContain('65536');
    const chunk = new Uint8Array(64 * 1024).fill(0x20);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += chunk.length;
        if (sent > TEN_MB) controller.close();
        else controller.enqueue(chunk);
      },
    });
    const init = { method: 'POST', headers: { 'content-type': 'application/json' }, body: stream, duplex: 'half' };
    await expectError(await fetch(publishUrl, init as RequestInit), 413, 'payload_too_large');
  });

  it('limits the inflated size of a gzip body, not the compressed one', async () => {
    const bomb = gzipSync(Buffer.alloc(TEN_MB, 0x20));
    expect(bomb.length).toBeLessThan(65_536);
    await expectError(await postJson(publishUrl, bomb, { 'content-encoding': 'gzip' }), 413, 'payload_too_large');
    const small = gzipSync(JSON.stringify({ ...event, topic: 'errors/gzip' }));
    expect((await postJson(publishUrl, small, { 'content-encoding': 'gzip' })).status).toBe(201);
  });

  it('answers a non-JSON or missing content type with 415', async () => {
    const json = JSON.stringify(event);
    for (const url of [publishUrl, `${ingest.url}/v1/rooms/lobby/messages`]) {
      const plain = await fetch(url, { method: 'POST', body: json });
      expect(plain.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(await expectError(plain, 415, 'unsupported_media_type')).toContain('text/plain');
      const missing = await fetch(url, { method: 'POST', body: new TextEncoder().encode(json) });
      expect(await expectError(missing, 415, 'unsupported_media_type')).toContain('no content type');
    }
    const form = await fetch(publishUrl, { method: 'POST', body: new URLSearchParams({ topic: 'a' }) });
    await expectError(form, 415, 'unsupported_media_type');
    await expectError(await postJson(publishUrl, event, { 'content-type': 'application/json; charset=latin1' }), 415, 'unsupported_media_type');
    const cloudEvent = { ...event, topic: 'errors/media-type' };
    expect((await postJson(publishUrl, cloudEvent, { 'content-type': 'application/cloudevents+json' })).status).toBe(201);
  });

  it('answers 10,000-deep nested JSON with 400 and keeps moderately nested data', async () => {
    const deep = `{"topic":"errors/deep","type":"x","data":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
    expect(await expectError(await postJson(publishUrl, deep), 400, 'bad_request')).toMatch(/nests deeper/);
    const deepObject = `{"topic":"errors/deep","type":"x","data":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`;
    await expectError(await postJson(publishUrl, deepObject), 400, 'bad_request');
    let nested: unknown = 1;
    for (let i = 0; i < 20; i++) nested = { a: nested };
    expect((await postJson(publishUrl, { topic: 'errors/deep', type: 'x', data: nested })).status).toBe(201);
  });

  it('answers unknown paths with 404 not_found', async () => {
    for (const path of ['/', '/v1', '/v1/nope', '/v1/topics/a', '/v1/rooms/lobby', '/v2/publish', '/v1/publish/extra']) {
      await expectError(await fetch(`${ingest.url}${path}`), 404, 'not_found');
    }
    await expectError(await postJson(`${ingest.url}/v1/unknown`, event), 404, 'not_found');
  });

  it('answers a wrong method on a known path with 405 and Allow', async () => {
    for (const [method, path] of [['GET', '/v1/publish'], ['PUT', '/v1/publish'], ['DELETE', '/v1/rooms/lobby/messages'], ['OPTIONS', '/v1/publish']] as const) {
      const response = await fetch(`${ingest.url}${path}`, { method });
      await expectError(response, 405, 'method_not_allowed');
      expect(response.headers.get('allow')).toBe('POST');
    }
  });

  it('answers a malformed percent-encoding in the path with 400', async () => {
    await expectError(await postJson(`${ingest.url}/v1/rooms/%E0%A4%A/messages`, { text: 'hi' }), 400, 'bad_request');
    await expectError(await fetch(`${ingest.url}/v1/topics/%ZZ/history`), 400, 'bad_request');
  });

  it('counts error answers by code in the metrics', async () => {
    const text = await ingest.registry.metrics();
    expect(text).toMatch(/ssehub_ingest_errors_total\{code="payload_too_large"\} [1-9]/);
    expect(text).toMatch(/ssehub_ingest_errors_total\{code="unsupported_media_type"\} [1-9]/);
    expect(text).toMatch(/ssehub_ingest_events_published_total [1-9]/);
    expect(text).toMatch(/ssehub_ingest_publish_seconds_count [1-9]/);
  });

  it('still publishes correctly after all of the above', async () => {
    const response = await postJson(publishUrl, event);
    expect(response.status).toBe(201);
    const ack = await readJson(response);
    const history = await readJson(await fetch(`${ingest.url}/v1/topics/errors/after/history`));
    expect((history.events as Array<{ id: string }>).map((stored) => stored.id)).toEqual([ack.id]);
  });
});

describe('broker failures', () => {
  it('answers 503 unavailable, never 201, once the broker is closed', async () => {
    const local = await startIngest();
    await local.broker.close();
    await expectError(await postJson(`${local.url}/v1/publish`, event), 503, 'unavailable');
    await expectError(await postJson(`${local.url}/v1/rooms/lobby/messages`, { text: 'hi' }), 503, 'unavailable');
    await expectError(await fetch(`${local.url}/v1/topics/errors/after/history`), 503, 'unavailable');
    expect(local.logs.some((line) => line.msg === 'broker unavailable')).toBe(true);
    await local.close();
  });

  it('answers an unexpected error with 500 internal, logging the stack but not sending it', async () => {
    const memory = createMemoryBroker();
    const broken: Broker = { ...memory, publish: () => Promise.reject(new TypeError('secret detail at db.internal:5432')) };
    const local = await startIngest({ broker: broken });
    const response = await postJson(`${local.url}/v1/publish`, event);
    const text = await response.text();
    expect(response.status).toBe(500);
    expect(JSON.parse(text)).toEqual({ error: { code: 'internal', message: 'internal error' } });
    const logged = local.logs.find((line) => line.msg === 'request failed');
    expect((logged?.err as { stack?: string } | undefined)?.stack).toContain('secret detail');
    await local.close();
  });
});
