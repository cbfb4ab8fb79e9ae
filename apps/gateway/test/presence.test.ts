import { openSse, type SseTestClient } from '@ssehub/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { startGateway, type GatewayHarness } from './gateway-harness.js';

const isReady = (client: SseTestClient): boolean => client.messages.some((m) => m.event === 'ssehub.ready');

describe('presence through the gateway', () => {
  let gateway: GatewayHarness;
  afterEach(() => gateway.close());

  async function members(topic: string): Promise<{ user: string; connections: number }[]> {
    const response = await fetch(`${gateway.url}/v1/presence/${topic}`);
    expect(response.status).toBe(200);
    return ((await response.json()) as { members: { user: string; connections: number }[] }).members;
  }

  it('lists a connected user and publishes join on the first tab and leave on the last', async () => {
    gateway = await startGateway();
    const watcher = await openSse(`${gateway.url}/v1/events?topic=rooms/p`);
    await watcher.waitFor(isReady, 'watcher ready');
    const tab1 = await openSse(`${gateway.url}/v1/events?topic=rooms/p&user=ana`);
    const tab2 = await openSse(`${gateway.url}/v1/events?topic=rooms/p&user=ana`);
    await tab1.waitFor(isReady, 'tab 1 ready');
    await tab2.waitFor(isReady, 'tab 2 ready');
    await watcher.waitFor((c) => c.events().length === 1, 'the join');
    expect(watcher.events()[0]).toMatchObject({ type: 'presence.join', data: { user: 'ana', node: 'test-node' } });
    expect((await members('rooms/p')).map((m) => m.user)).toEqual(['ana']);

    tab1.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(watcher.events()).toHaveLength(1);
    tab2.close();
    await watcher.waitFor((c) => c.events().length === 2, 'the leave');
    expect(watcher.events()[1]).toMatchObject({ type: 'presence.leave', data: { user: 'ana' } });
    expect(await members('rooms/p')).toEqual([]);
    watcher.close();
  });

  it('keeps a user present when another stream of theirs is refused after it was let in', async () => {
    gateway = await startGateway();
    const watcher = await openSse(`${gateway.url}/v1/events?topic=rooms/q`);
    await watcher.waitFor(isReady, 'watcher ready');
    const tab = await openSse(`${gateway.url}/v1/events?topic=rooms/q&user=ana`);
    await tab.waitFor(isReady, 'tab ready');
    await watcher.waitFor((c) => c.events().length === 1, 'the join');
    // A well-formed id with two positions passes the request check; the broker refuses it (one topic).
    const refused = await fetch(`${gateway.url}/v1/events?topic=rooms/q&user=ana`, { headers: { 'last-event-id': 'abc-1.2' } });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('invalid_cursor');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(watcher.events().map((event) => event.type)).toEqual(['presence.join']);
    expect((await members('rooms/q')).map((m) => m.user)).toEqual(['ana']);
    tab.close();
    await watcher.waitFor((c) => c.events().length === 2, 'the leave');
    watcher.close();
  });

  it('answers a bad presence topic with a JSON 400 and a POST with 405', async () => {
    gateway = await startGateway();
    const bad = await fetch(`${gateway.url}/v1/presence/rooms/a.b`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('invalid_topic');
    const post = await fetch(`${gateway.url}/v1/presence/rooms/a`, { method: 'POST' });
    expect(post.status).toBe(405);
  });

  it('refuses a user name with control characters', async () => {
    gateway = await startGateway();
    const response = await fetch(`${gateway.url}/v1/events?topic=rooms/a&user=a%0Ab`);
    expect(response.status).toBe(400);
  });
});
