import { decodeCursor, type ReadyPayload, type ResetPayload } from '@ssehub/protocol';
import { createSsehubClient, type ConnectionState, type Subscription } from '@ssehub/protocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '@ssehub/testkit';
import { TEST_JWT_SECRET, signToken } from './support/hs256.js';
import { startHttpFaultProxy } from './support/http-fault-proxy.js';
import { startStandalone, type StandaloneProcess } from './support/standalone.js';
import { startTcpProxy } from './support/tcp-proxy.js';

let server: StandaloneProcess;
const prefix = `client-node-${Date.now().toString(36)}`;
let topicCount = 0;
const newTopic = (): string => `${prefix}/t${++topicCount}`;

beforeAll(async () => {
  // Test topics are open to all; `private/**` needs a token.
  server = await startStandalone({
    JWT_SECRET: TEST_JWT_SECRET,
    PUBLIC_TOPICS: `${prefix}/**`,
    ANONYMOUS_PUBLISH_TOPICS: `${prefix}/**`,
  });
});
afterAll(async () => {
  await server?.stop();
});

/** Publishes `chat.message` number `n` straight to the server (text = n), answering its id. */
async function say(topic: string, n: number): Promise<string> {
  const response = await fetch(`${server.url}/v1/publish`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ topic, type: 'chat.message', data: { text: String(n), author: 'test' } }),
  });
  if (response.status !== 201) throw new Error(`publish answered ${response.status}`);
  return ((await response.json()) as { id: string }).id;
}

function seqOf(id: string): number {
  return decodeCursor(id)?.positions[0] ?? Number.NaN;
}

/** Open SSE connections the server reports in its metrics. */
async function serverConnections(): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const match = /^ssehub_gateway_connections(?:\{[^}]*\})? (\d+)$/m.exec(text);
  if (!match) throw new Error('no ssehub_gateway_connections in /metrics');
  return Number(match[1]);
}

/** A subscription that records what it receives by sequence number. */
function record(client: ReturnType<typeof createSsehubClient>, topics: string[], lastEventId?: string) {
  const got: { n: number; id: string; topic: string }[] = [];
  const readies: ReadyPayload[] = [];
  const resets: ResetPayload[] = [];
  const states: ConnectionState[] = [];
  const subscription: Subscription = client.subscribe(topics, {
    lastEventId,
    on: { 'chat.message': (event) => got.push({ n: Number(event.data.text), id: event.id!, topic: event.topic }) },
    onReady: (payload) => readies.push(payload),
    onReset: (payload) => resets.push(payload),
    onStateChange: (state) => states.push(state),
  });
  return { got, readies, resets, states, subscription };
}

/** Every number 1..count exactly once, in order, with strictly increasing ids. */
function expectSequence(got: { n: number; id: string }[], count: number): void {
  expect(got.map((event) => event.n)).toEqual(Array.from({ length: count }, (_, index) => index + 1));
  const seqs = got.map((event) => seqOf(event.id));
  for (let index = 1; index < seqs.length; index++) expect(seqs[index]).toBeGreaterThan(seqs[index - 1]!);
}

describe('the typed client in Node against a standalone server', () => {
  it('hands typed, validated data to handlers by event type and the rest to onEvent', async () => {
    const client = createSsehubClient({ baseUrl: server.url });
    const topic = newTopic();
    const seen: string[] = [];
    let ready = false;
    const subscription = client.subscribe([topic], {
      on: {
        'chat.message': (event) => seen.push(`${event.data.author}: ${event.data.text.toUpperCase()}`),
        'presence.join': (event) => seen.push(`join ${event.data.user}`),
      },
      onEvent: (event) => seen.push(`untyped ${event.type} ${JSON.stringify(event.data)}`),
      onReady: () => (ready = true),
    });
    await until(() => ready, 'ready');
    await client.publish({ topic, type: 'chat.message', data: { text: 'hi', author: 'ada' } });
    await server.publish(topic, { n: 1 });
    await client.publish({ topic, type: 'presence.join', data: { user: 'bob' } });
    await until(() => seen.length === 3, 'three events');
    subscription.close();
    expect(seen).toEqual(['ada: HI', 'untyped test.n {"n":1}', 'join bob']);
  });

  it('serves the subscriptions of one client over one connection, across a topic change, losing nothing', async () => {
    const client = createSsehubClient({ baseUrl: server.url });
    const [a, b] = [newTopic(), newTopic()];
    const first = record(client, [a]);
    await until(() => first.readies.length === 1, 'first ready');
    // Publishing runs on while the second subscription joins and the stream restarts with both topics.
    const publishing = (async () => {
      for (let n = 1; n <= 60; n++) await say(a, n);
    })();
    await until(() => first.got.length >= 5, 'the first events, so the topic change lands mid-stream');
    const second = record(client, [b]);
    await until(() => second.readies.length === 1, 'second ready');
    for (let n = 1; n <= 20; n++) await say(b, n);
    await publishing;
    await until(() => first.got.length === 60 && second.got.length === 20, 'all events');
    expect(await serverConnections()).toBe(1);
    expectSequence(first.got, 60);
    expectSequence(second.got, 20);
    expect(first.got.every((event) => event.topic === a)).toBe(true);
    // The planned restart is not a reconnect the first subscriber hears about.
    expect(first.readies).toHaveLength(1);
    expect(first.states).toEqual(['live']);
    first.subscription.close();
    second.subscription.close();
    await until(async () => (await serverConnections()) === 0, 'the stream to close');
  });

  it('resumes after the connection is cut, with nothing lost or duplicated', async () => {
    const proxy = await startTcpProxy(Number(new URL(server.url).port));
    try {
      const client = createSsehubClient({ baseUrl: `http://127.0.0.1:${proxy.port}` });
      const topic = newTopic();
      const sub = record(client, [topic]);
      await until(() => sub.readies.length === 1, 'ready');
      for (let n = 1; n <= 5; n++) await say(topic, n);
      await until(() => sub.got.length === 5, 'five events');
      proxy.cut();
      await until(() => sub.states.includes('reconnecting'), 'reconnecting');
      for (let n = 6; n <= 10; n++) await say(topic, n);
      proxy.resume();
      await until(() => sub.readies.length === 2, 'ready again', 15_000);
      for (let n = 11; n <= 15; n++) await say(topic, n);
      await until(() => sub.got.length === 15, 'fifteen events');
      expectSequence(sub.got, 15);
      expect(sub.readies[1]?.resumed).toBe(true);
      expect(sub.subscription.lastEventId).toBe(sub.got.at(-1)?.id);
      sub.subscription.close();
    } finally {
      await proxy.close();
    }
  });

  it.each([true, false])('surfaces ssehub.reset as a callback for a cursor of another log (shared: %s)', async (share) => {
    const client = createSsehubClient({ baseUrl: server.url, share });
    const topic = newTopic();
    const sub = record(client, [topic], 'zzzz-5');
    await until(() => sub.readies.length === 1, 'ready');
    expect(sub.resets).toEqual([{ reason: 'epoch', lastEventId: 'zzzz-5', topics: [topic] }]);
    await say(topic, 1);
    await until(() => sub.got.length === 1, 'an event after the reset');
    sub.subscription.close();
  });

  it('resumes from a history cursor: events after it arrive, none before', async () => {
    const client = createSsehubClient({ baseUrl: server.url });
    const topic = newTopic();
    for (let n = 1; n <= 3; n++) await say(topic, n);
    const page = await client.history(topic, { limit: 2 });
    const sub = record(client, [topic], page.events.at(-1)?.id);
    await until(() => sub.readies.length === 1, 'ready');
    for (let n = 4; n <= 6; n++) await say(topic, n);
    await until(() => sub.got.length === 3, 'three events');
    expect(sub.got.map((event) => event.n)).toEqual([4, 5, 6]);
    sub.subscription.close();
  });
});

describe('the typed client with a token', () => {
  it('reads and writes private topics with a bearer token from a function, and is refused without one', async () => {
    let token: string | undefined = signToken('ada', { subscribe: ['private/{sub}/**'], publish: ['private/{sub}/**'] });
    const client = createSsehubClient({ baseUrl: server.url, token: () => token });
    const topic = `private/ada/${prefix}`;
    const sub = record(client, [topic]);
    await until(() => sub.readies.length === 1, 'ready');
    for (let n = 1; n <= 3; n++) await client.publish({ topic, type: 'chat.message', data: { text: String(n), author: 'ada' } });
    await until(() => sub.got.length === 3, 'three events');
    expectSequence(sub.got, 3);
    sub.subscription.close();
    token = undefined;
    await expect(client.publish({ topic, type: 'chat.message', data: { text: '4', author: 'ada' } })).rejects.toMatchObject({
      code: 'unauthorized',
      status: 401,
    });
  });
});

describe('publish with retries', () => {
  it('retries a publish whose answer was lost with the same Idempotency-Key, so the event exists once', async () => {
    const proxy = await startTcpProxy(Number(new URL(server.url).port));
    try {
      const client = createSsehubClient({ baseUrl: `http://127.0.0.1:${proxy.port}`, retry: { baseDelayMs: 20 } });
      const topic = newTopic();
      proxy.dropNextAnswer();
      const ack = await client.publish({ topic, type: 'chat.message', data: { text: '1', author: 'test' } });
      const history = await client.history(topic);
      expect(history.events.map((event) => event.id)).toEqual([ack.id]);
      expect(history.events[0]?.data).toEqual({ text: '1', author: 'test' });
    } finally {
      await proxy.close();
    }
  });

  it('retries 503 and 429 with back-off and one key, and never retries another 4xx', async () => {
    const proxy = await startHttpFaultProxy(server.url);
    try {
      const client = createSsehubClient({ baseUrl: proxy.url, retry: { baseDelayMs: 20 } });
      const topic = newTopic();
      proxy.failNext(1, 503, { 'retry-after': '0' });
      proxy.failNext(1, 429);
      const ack = await client.publish({ topic, type: 'test.n', data: { n: 1 } });
      const attempts = proxy.seen.filter((request) => request.method === 'POST');
      expect(attempts.map((request) => request.status)).toEqual([503, 429, 201]);
      const keys = new Set(attempts.map((request) => request.headers['idempotency-key']));
      expect(keys.size).toBe(1);
      expect([...keys][0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect((await client.history(topic)).events.map((event) => event.id)).toEqual([ack.id]);

      proxy.seen.length = 0;
      await expect(client.publish({ topic: 'not a topic', type: 'test.n', data: {} })).rejects.toMatchObject({
        code: 'invalid_topic',
        status: 400,
      });
      expect(proxy.seen).toHaveLength(1);

      proxy.seen.length = 0;
      proxy.failNext(3, 503);
      const once = createSsehubClient({ baseUrl: proxy.url, retry: { attempts: 3, baseDelayMs: 10 } });
      await expect(once.publish({ topic, type: 'test.n', data: { n: 2 } })).rejects.toMatchObject({ status: 503 });
      expect(proxy.seen).toHaveLength(3);
    } finally {
      await proxy.close();
    }
  });
});
