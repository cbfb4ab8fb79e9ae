import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect } from '@ssehub/testkit';
import { expectError, postJson, readJson, startIngest, type TestIngest } from './harness.js';

let ingest: TestIngest;
beforeAll(async () => {
  ingest = await startIngest();
});
afterAll(() => ingest.close());

describe('POST /v1/rooms/{room}/messages', () => {
  it('publishes chat.message on rooms/{room} with an anonymous author', async () => {
    const subscriber = await collect(ingest.broker, ['rooms/lobby']);
    const response = await postJson(`${ingest.url}/v1/rooms/lobby/messages`, { text: '  hello \n<script>  ' });
    expect(response.status).toBe(201);
    const ack = await readJson(response);
    expect(ack).toEqual({ id: expect.any(String), topic: 'rooms/lobby', type: 'chat.message' });
    const [event] = await subscriber.waitFor(1);
    expect(event).toMatchObject({ id: ack.id, type: 'chat.message', data: { text: 'hello \n<script>', author: 'anonymous' } });
    subscriber.close();
  });

  it('keeps the author the body names', async () => {
    const subscriber = await collect(ingest.broker, ['rooms/dev-team']);
    const response = await postJson(`${ingest.url}/v1/rooms/dev-team/messages`, { text: 'hi', author: 'ann' });
    expect(response.status).toBe(201);
    const [event] = await subscriber.waitFor(1);
    expect(event!.data).toEqual({ text: 'hi', author: 'ann' });
    subscriber.close();
  });

  it('returns the original id for a retried message with the same Idempotency-Key', async () => {
    const headers = { 'idempotency-key': 'msg-1' };
    const first = await readJson(await postJson(`${ingest.url}/v1/rooms/retry/messages`, { text: 'once' }, headers));
    const retry = await readJson(await postJson(`${ingest.url}/v1/rooms/retry/messages`, { text: 'once' }, headers));
    expect(retry.id).toBe(first.id);
    const history = await readJson(await fetch(`${ingest.url}/v1/topics/rooms/retry/history`));
    expect(history.events).toHaveLength(1);
  });

  it('rejects an invalid room name with invalid_topic', async () => {
    for (const room of ['lob.by', 'a%2Fb', 'x'.repeat(65), '%20']) {
      const message = await expectError(await postJson(`${ingest.url}/v1/rooms/${room}/messages`, { text: 'hi' }), 400, 'invalid_topic');
      expect(message).toMatch(/^room: /);
    }
  });

  it('rejects an empty, missing or oversized text with invalid_event naming the field', async () => {
    for (const body of [{ text: '   ' }, {}, { text: 'x'.repeat(4001) }, { text: 5 }]) {
      const message = await expectError(await postJson(`${ingest.url}/v1/rooms/lobby/messages`, body), 400, 'invalid_event');
      expect(message).toMatch(/^text: /);
    }
    const author = await expectError(await postJson(`${ingest.url}/v1/rooms/lobby/messages`, { text: 'hi', author: '' }), 400, 'invalid_event');
    expect(author).toMatch(/^author: /);
  });
});
