import { ready } from '@ssehub/testkit';
import { createMemoryBroker } from '@ssehub/broker';
import { afterEach, describe, expect, it } from 'vitest';
import { useStreams } from './streams.js';
import { numbers, startGateway, type GatewayHarness } from './gateway-harness.js';

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

describe('GET /v1/events', () => {
  let gateway: GatewayHarness;
  afterEach(async () => {
    await gateway.close();
  });
  const open = useStreams(() => gateway.url);

  it('streams live events with id, event type and the JSON envelope', async () => {
    gateway = await startGateway();
    const client = await open('topic=rooms/a');
    expect(client.status).toBe(200);
    expect(client.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(client.headers['cache-control']).toBe('no-cache, no-transform');
    expect(client.headers['x-accel-buffering']).toBe('no');
    await client.waitFor(ready, 'ready');
    const id = await gateway.publish('rooms/a', 1);
    await client.waitFor((c) => c.events().length === 1, 'one event');
    const message = client.messages.find((m) => m.hasId)!;
    expect(message.lastEventId).toBe(id);
    expect(message.event).toBe('test.n');
    expect(JSON.parse(message.data)).toEqual({ id, topic: 'rooms/a', type: 'test.n', data: { n: 1 }, ts: expect.any(Number) });
    expect(client.raw()).toMatch(/^retry: \d+\n\n/);
  });

  it('sends ssehub.ready without an id, naming node, topics and a resumable cursor', async () => {
    gateway = await startGateway();
    await gateway.publish('rooms/a', 0);
    const client = await open('topic=rooms/a&topic=rooms/b');
    await client.waitFor(ready, 'ready');
    const message = client.messages.find((m) => m.event === 'ssehub.ready')!;
    expect(message.hasId).toBe(false);
    const payload = JSON.parse(message.data);
    expect(payload).toMatchObject({ node: 'test-node', topics: ['rooms/a', 'rooms/b'], resumed: false });
    await gateway.publish('rooms/a', 1);
    const resumed = await open('topic=rooms/a', { 'last-event-id': payload.cursor });
    await resumed.waitFor((c) => c.events().length === 1, 'the event after the ready cursor');
    expect(numbers(resumed.events())).toEqual([1]);
  });

  it('delivers two topics on one connection in publish order', async () => {
    gateway = await startGateway();
    const client = await open('topic=rooms/a&topic=users/7/notifications');
    await client.waitFor(ready, 'ready');
    for (const n of range(0, 30)) await gateway.publish(['rooms/a', 'users/7/notifications', 'rooms/x'][n % 3]!, n);
    await client.waitFor((c) => c.events().length === 20, '20 events');
    expect(numbers(client.events())).toEqual(range(0, 30).filter((n) => n % 3 !== 2));
  });

  it('resumes with a Last-Event-ID header with exactly the missed events', async () => {
    gateway = await startGateway();
    const ids: string[] = [];
    for (const n of range(0, 10)) ids.push(await gateway.publish('rooms/a', n));
    const client = await open('topic=rooms/a', { 'last-event-id': ids[3]! });
    await client.waitFor(ready, 'ready');
    await gateway.publish('rooms/a', 10);
    await client.waitFor((c) => c.events().length === 7, '7 events');
    expect(numbers(client.events())).toEqual(range(4, 11));
    const payload = JSON.parse(client.messages.find((m) => m.event === 'ssehub.ready')!.data);
    expect(payload.resumed).toBe(true);
  });

  it('resumes with the lastEventId query parameter too', async () => {
    gateway = await startGateway();
    const ids: string[] = [];
    for (const n of range(0, 5)) ids.push(await gateway.publish('rooms/a', n));
    const client = await open(`topic=rooms/a&lastEventId=${encodeURIComponent(ids[1]!)}`);
    await client.waitFor((c) => c.events().length === 3, '3 events');
    expect(numbers(client.events())).toEqual([2, 3, 4]);
  });

  it('sends ssehub.reset first when the cursor is of another epoch', async () => {
    gateway = await startGateway();
    await gateway.publish('rooms/a', 0);
    const client = await open('topic=rooms/a', { 'last-event-id': 'oldepoch1-1' });
    await client.waitFor(ready, 'ready');
    expect(client.messages[0]!.event).toBe('ssehub.reset');
    expect(client.messages[0]!.hasId).toBe(false);
    expect(JSON.parse(client.messages[0]!.data)).toEqual({ reason: 'epoch', lastEventId: 'oldepoch1-1', topics: ['rooms/a'] });
  });

  it('sends ssehub.reset "retention" when the cursor is older than retention', async () => {
    gateway = await startGateway({}, createMemoryBroker({ historyMaxPerTopic: 3 }));
    const first = await gateway.publish('rooms/a', 0);
    for (const n of range(1, 10)) await gateway.publish('rooms/a', n);
    const client = await open('topic=rooms/a', { 'last-event-id': first });
    await client.waitFor(ready, 'ready');
    expect(JSON.parse(client.messages[0]!.data).reason).toBe('retention');
    await gateway.publish('rooms/a', 10);
    await client.waitFor((c) => c.events().length === 1, 'live event after reset');
    expect(numbers(client.events())).toEqual([10]);
  });

  it('delivers data with newlines and forged frames as one intact event', async () => {
    gateway = await startGateway();
    const client = await open('topic=rooms/a');
    await client.waitFor(ready, 'ready');
    const hostile = 'line1\n\ndata: forged\r\nid: 999\revent: ssehub.reset\n\n';
    await gateway.publish('rooms/a', 1, { text: hostile });
    await client.waitFor((c) => c.events().length === 1, 'the event');
    expect(client.messages.filter((m) => m.event !== 'ssehub.ready')).toHaveLength(1);
    expect(client.events()[0]!.data.text).toBe(hostile);
  });

  it('sends heartbeat comments', async () => {
    gateway = await startGateway({ HEARTBEAT_S: 1 });
    const client = await open('topic=rooms/a');
    await client.waitFor((c) => c.comments.includes('hb'), 'a heartbeat', 5000);
  });

  it('tells clients to reconnect and ends their streams when draining', async () => {
    gateway = await startGateway();
    const client = await open('topic=rooms/a');
    await client.waitFor(ready, 'ready');
    gateway.app.drain();
    await client.ended;
    expect(client.messages.at(-1)!.event).toBe('ssehub.reconnect');
    expect(client.raw()).toMatch(/retry: \d+\n\n$/);
    const refused = await fetch(`${gateway.url}/v1/events?topic=rooms/a`);
    expect(refused.status).toBe(503);
    await expect(gateway.app.ready()).rejects.toThrow('draining');
  });
});
