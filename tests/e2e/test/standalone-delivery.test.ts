import { EventSource } from 'eventsource';
import { openSse, ready, type SseTestClient } from '@ssehub/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startStandalone, type StandaloneProcess } from './support/standalone.js';

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);
const numbers = (client: SseTestClient): number[] => client.events().map((event) => event.data.n);
let topicCounter = 0;
const uniqueTopic = (): string => `rooms/delivery-${process.pid}-${topicCounter++}`;

describe('standalone delivery over real HTTP', () => {
  let server: StandaloneProcess;
  const clients: SseTestClient[] = [];
  async function open(query: string, headers: Record<string, string> = {}): Promise<SseTestClient> {
    const client = await openSse(`${server.url}/v1/events?${query}`, headers);
    clients.push(client);
    await client.waitFor(ready, 'ssehub.ready');
    return client;
  }
  beforeAll(async () => {
    server = await startStandalone({ HISTORY_MAX_PER_TOPIC: '50', MAX_BUFFER_BYTES: '65536' });
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });
  afterAll(() => server.stop());

  it('delivers a published event to a raw-socket reader', async () => {
    const topic = uniqueTopic();
    const client = await open(`topic=${topic}`);
    const id = await server.publish(topic, { n: 0 });
    await client.waitFor((c) => c.events().length === 1, 'the event');
    expect(client.events()[0]).toMatchObject({ id, topic, type: 'test.n', data: { n: 0 } });
  });

  it('delivers to the eventsource npm client, which resumes by itself after the stream drops', async () => {
    const topic = uniqueTopic();
    const received: number[] = [];
    const ids: string[] = [];
    const source = new EventSource(`${server.url}/v1/events?topic=${topic}`);
    const readyOnce = new Promise<void>((resolve) => source.addEventListener('ssehub.ready', () => resolve()));
    source.addEventListener('test.n', (event) => {
      received.push(JSON.parse(event.data).data.n);
      ids.push(event.lastEventId);
    });
    try {
      await readyOnce;
      for (const n of range(0, 5)) await server.publish(topic, { n });
      await expect.poll(() => received.length, { timeout: 10_000 }).toBe(5);
      expect(received).toEqual(range(0, 5));
      expect(new Set(ids).size).toBe(5);
    } finally {
      source.close();
    }
  });

  it('delivers two topics on one connection in publish order', async () => {
    const a = uniqueTopic();
    const b = uniqueTopic();
    const client = await open(`topic=${a}&topic=${b}`);
    for (const n of range(0, 20)) await server.publish(n % 2 === 0 ? a : b, { n });
    await client.waitFor((c) => c.events().length === 20, '20 events');
    expect(numbers(client)).toEqual(range(0, 20));
  });

  it('resumes with a Last-Event-ID header with exactly the missed events', async () => {
    const topic = uniqueTopic();
    const ids: string[] = [];
    for (const n of range(0, 10)) ids.push(await server.publish(topic, { n }));
    const client = await open(`topic=${topic}`, { 'last-event-id': ids[6]! });
    await server.publish(topic, { n: 10 });
    await client.waitFor((c) => c.events().length === 4, '4 events');
    expect(numbers(client)).toEqual([7, 8, 9, 10]);
  });

  it('resumes with the lastEventId query parameter with exactly the missed events', async () => {
    const topic = uniqueTopic();
    const ids: string[] = [];
    for (const n of range(0, 10)) ids.push(await server.publish(topic, { n }));
    const client = await open(`topic=${topic}&lastEventId=${ids[2]}`);
    await client.waitFor((c) => c.events().length === 7, '7 events');
    expect(numbers(client)).toEqual(range(3, 10));
  });

  it('sends ssehub.reset when the cursor is older than retention', async () => {
    const topic = uniqueTopic();
    const first = await server.publish(topic, { n: 0 });
    for (const n of range(1, 60)) await server.publish(topic, { n });
    const client = await open(`topic=${topic}`, { 'last-event-id': first });
    expect(client.messages[0]!.event).toBe('ssehub.reset');
    expect(JSON.parse(client.messages[0]!.data).reason).toBe('retention');
  });

  it('delivers an idempotent publish once and answers the retry with the same id', async () => {
    const topic = uniqueTopic();
    const client = await open(`topic=${topic}`);
    const key = { 'idempotency-key': `key-${topic}` };
    const first = await server.publish(topic, { n: 0 }, key);
    const retry = await server.publish(topic, { n: 0 }, key);
    expect(retry).toBe(first);
    await server.publish(topic, { n: 1 });
    await client.waitFor((c) => c.events().length === 2, '2 events');
    expect(numbers(client)).toEqual([0, 1]);
  });

  it('delivers hostile data (newlines, forged frames, CR) as one intact event', async () => {
    const topic = uniqueTopic();
    const client = await open(`topic=${topic}`);
    const text = 'a\n\ndata: forged\nid: 1\r\revent: ssehub.reset\r\n\r\nretry: 1\n';
    await server.publish(topic, { n: 0, text });
    await client.waitFor((c) => c.events().length === 1, 'the event');
    expect(client.messages.filter((m) => m.event !== 'ssehub.ready')).toHaveLength(1);
    expect(client.events()[0]!.data.text).toBe(text);
  });

  it('cuts off a consumer that stops reading while a fast one on the same topic keeps receiving', async () => {
    const topic = uniqueTopic();
    const fast = await open(`topic=${topic}`);
    const slow = await open(`topic=${topic}`);
    slow.pause();
    const padding = 'x'.repeat(8000);
    const total = 1500;
    await Promise.all(
      range(0, 10).map(async (worker) => {
        for (let n = worker; n < total; n += 10) await server.publish(topic, { n, padding });
      }),
    );
    await fast.waitFor((c) => c.events().length === total, `${total} events`, 60_000);
    expect(new Set(numbers(fast)).size).toBe(total);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/^ssehub_gateway_slow_consumer_disconnects_total [1-9]/m);
  });
});

describe('standalone across a restart', () => {
  it('sends ssehub.reset "epoch" to a cursor from before the restart', async () => {
    const first = await startStandalone();
    const topic = uniqueTopic();
    const id = await first.publish(topic, { n: 0 });
    const port = new URL(first.url).port;
    await first.stop();
    const second = await startStandalone({}, Number(port));
    try {
      const client = await openSse(`${second.url}/v1/events?topic=${topic}`, { 'last-event-id': id });
      await client.waitFor(ready, 'ready');
      expect(client.messages[0]!.event).toBe('ssehub.reset');
      expect(JSON.parse(client.messages[0]!.data)).toMatchObject({ reason: 'epoch', lastEventId: id });
      client.close();
    } finally {
      await second.stop();
    }
  });
});
