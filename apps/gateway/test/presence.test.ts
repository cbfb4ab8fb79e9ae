import { openSse, ready, until, type SseTestClient } from '@ssehub/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { startGateway, type GatewayHarness } from './gateway-harness.js';

/** The user of the sentinel signal that closes a check that nothing else was signalled. */
const SENTINEL_USER = 'sentinel';
/** Presence frames: live-only signals, so frames without `id:` (asserted), their envelopes parsed. */
function signals(client: SseTestClient): { type: string; topic: string; data: { user: string; node?: string } }[] {
  const frames = client.messages.filter((m) => m.event.startsWith('presence.'));
  expect(frames.filter((m) => m.hasId)).toEqual([]);
  return frames.map((m) => JSON.parse(m.data));
}

describe('presence through the gateway', () => {
  let gateway: GatewayHarness;
  afterEach(() => gateway.close());

  /**
   * Sends a presence signal of a made-up user and waits for `watcher` to get it. Signals reach a stream
   * in the order they were sent, so a join or leave sent before it has arrived by then too.
   */
  async function sentinel(topic: string, watcher: SseTestClient): Promise<void> {
    await gateway.broker.signal({ topic, type: 'presence.join', data: { user: SENTINEL_USER } });
    await watcher.waitFor((c) => signals(c).some((signal) => signal.data.user === SENTINEL_USER), 'the sentinel');
  }

  async function members(topic: string): Promise<{ user: string; connections: number }[]> {
    const response = await fetch(`${gateway.url}/v1/presence/${topic}`);
    expect(response.status).toBe(200);
    return ((await response.json()) as { members: { user: string; connections: number }[] }).members;
  }

  it('lists a connected user and signals join on the first tab and leave on the last, without ids or history', async () => {
    gateway = await startGateway();
    const watcher = await openSse(`${gateway.url}/v1/events?topic=rooms/p`);
    await watcher.waitFor(ready, 'watcher ready');
    const tab1 = await openSse(`${gateway.url}/v1/events?topic=rooms/p&user=ana`);
    const tab2 = await openSse(`${gateway.url}/v1/events?topic=rooms/p&user=ana`);
    await tab1.waitFor(ready, 'tab 1 ready');
    await tab2.waitFor(ready, 'tab 2 ready');
    await watcher.waitFor((c) => signals(c).length === 1, 'the join');
    expect(signals(watcher)[0]).toMatchObject({ type: 'presence.join', data: { user: 'ana', node: 'test-node' } });
    expect((await members('rooms/p')).map((m) => m.user)).toEqual(['ana']);

    tab1.close();
    await until(() => gateway.app.connectionCount() === 2, 'the gateway to see tab 1 close');
    await sentinel('rooms/p', watcher);
    expect(signals(watcher).map((signal) => signal.data.user)).toEqual(['ana', SENTINEL_USER]);
    tab2.close();
    await watcher.waitFor((c) => signals(c).length === 3, 'the leave');
    expect(signals(watcher)[2]).toMatchObject({ type: 'presence.leave', data: { user: 'ana' } });
    expect(await members('rooms/p')).toEqual([]);
    expect(watcher.events()).toEqual([]);
    expect((await gateway.broker.history('rooms/p', { limit: 10 })).events).toEqual([]);
    watcher.close();
  });

  it('keeps a user present when another stream of theirs is refused after it was let in', async () => {
    gateway = await startGateway();
    const watcher = await openSse(`${gateway.url}/v1/events?topic=rooms/q`);
    await watcher.waitFor(ready, 'watcher ready');
    const tab = await openSse(`${gateway.url}/v1/events?topic=rooms/q&user=ana`);
    await tab.waitFor(ready, 'tab ready');
    await watcher.waitFor((c) => signals(c).length === 1, 'the join');
    // A well-formed id with two positions passes the request check; the broker refuses it (one topic).
    const refused = await fetch(`${gateway.url}/v1/events?topic=rooms/q&user=ana`, { headers: { 'last-event-id': 'abc-1.2' } });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('invalid_cursor');
    await sentinel('rooms/q', watcher);
    expect(signals(watcher).map((event) => event.data.user)).toEqual(['ana', SENTINEL_USER]);
    expect((await members('rooms/q')).map((m) => m.user)).toEqual(['ana']);
    tab.close();
    await watcher.waitFor((c) => signals(c).length === 3, 'the leave');
    watcher.close();
  });

  it('opens a stream over the presence rate but leaves it out of presence, counting presence_rate', async () => {
    gateway = await startGateway({ PRESENCE_RATE_PER_S: 0.001, PRESENCE_BURST: 2 });
    const counted = await openSse(`${gateway.url}/v1/events?topic=rooms/r1&topic=rooms/r2&user=ana`);
    await counted.waitFor(ready, 'the stream within the rate');
    const over = await openSse(`${gateway.url}/v1/events?topic=rooms/r3&user=ana`);
    await over.waitFor(ready, 'the stream over the rate');
    expect((await members('rooms/r2')).map((m) => m.user)).toEqual(['ana']);
    expect(await members('rooms/r3')).toEqual([]);
    const metrics = await gateway.registry.getSingleMetricAsString('ssehub_limit_hits_total');
    expect(metrics).toContain('ssehub_limit_hits_total{limit="presence_rate"} 1');
    // Its events still arrive; closing it leaves nothing it never joined.
    await gateway.publish('rooms/r3', 0);
    await over.waitFor((c) => c.events().length === 1, 'the event on the uncounted stream');
    over.close();
    counted.close();
    await expect.poll(() => members('rooms/r1')).toEqual([]);
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
