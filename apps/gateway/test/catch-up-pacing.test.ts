import { request, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { MAX_HELD_LIVE_EVENTS, createMemoryBroker } from '@ssehub/broker';
import { createSseParser } from '@ssehub/protocol';
import { openSse } from '@ssehub/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { startGateway, type GatewayHarness } from './gateway-harness.js';

const MAX_BUFFER_BYTES = 256 * 1024;
const PADDING = 'x'.repeat(16 * 1024);
const HISTORY = 1000;
// One event frame over the limit, plus what the head and control frames add.
const SLACK = 64 * 1024;

/** A gateway whose node-side sockets can be watched: what it holds unsent for each stream. */
async function watchedGateway(): Promise<{ gateway: GatewayHarness; sockets: Socket[] }> {
  const gateway = await startGateway({ MAX_BUFFER_BYTES, HEARTBEAT_S: 3600 }, createMemoryBroker({ historyMaxPerTopic: 20_000 }));
  const sockets: Socket[] = [];
  gateway.server.on('connection', (socket: Socket) => sockets.push(socket));
  return { gateway, sockets };
}

/** Publishes `{ n, padding }` for n in [from, to), a hundred per batch; the first event's id. */
async function publishPadded(gateway: GatewayHarness, from: number, to: number, padding = PADDING): Promise<string> {
  let firstId = '';
  for (let start = from; start < to; start += 100) {
    const batch = Array.from({ length: Math.min(100, to - start) }, (_, i) => ({ topic: 'rooms/big', type: 'test.n', data: { n: start + i, padding } }));
    const stored = await gateway.broker.publish(batch);
    firstId ||= stored[0]!.id;
  }
  return firstId;
}

/**
 * A client that reads one chunk per timer turn: slower than the node writes, so its socket fills and
 * the node has to wait for it. Records the `n` of every event and, on every chunk, what the node holds.
 */
function slowReader(url: string, lastEventId: string, nodeHeld: () => number) {
  const received: number[] = [];
  let maxHeld = 0;
  let resolveCount: (() => void) | undefined;
  let wanted = Infinity;
  const parser = createSseParser({
    onMessage: (message) => {
      if (!message.hasId) return;
      received.push((JSON.parse(message.data) as { data: { n: number } }).data.n);
      if (received.length >= wanted) resolveCount?.();
    },
  });
  const req = request(url, { headers: { accept: 'text/event-stream', 'last-event-id': lastEventId } });
  req.on('response', (res: IncomingMessage) => {
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      maxHeld = Math.max(maxHeld, nodeHeld());
      parser.feed(chunk);
      res.pause();
      setTimeout(() => res.resume(), 1);
    });
  });
  req.end();
  return {
    received,
    maxHeld: () => maxHeld,
    until(count: number): Promise<void> {
      wanted = count;
      return received.length >= count ? Promise.resolve() : new Promise((resolve) => (resolveCount = resolve));
    },
    close: () => req.destroy(),
  };
}

describe('a resume over a large retained history', () => {
  let gateway: GatewayHarness;
  afterEach(() => gateway.close());

  it('reaches a slow reader whole, each event once and in order across the seam, while the node holds about one buffer for it', async () => {
    const watched = await watchedGateway();
    gateway = watched.gateway;
    const firstId = await publishPadded(gateway, 0, HISTORY);
    const nodeHeld = () => Math.max(0, ...watched.sockets.map((socket) => socket.writableLength));
    const reader = slowReader(`${gateway.url}/v1/events?topic=rooms/big`, firstId, nodeHeld);
    await reader.until(20);
    // Live events published during the catch-up wait at the seam and follow the history.
    await publishPadded(gateway, HISTORY, HISTORY + 50, 'live');
    await reader.until(HISTORY + 49);
    expect(reader.received).toEqual(Array.from({ length: HISTORY + 49 }, (_, i) => i + 1));
    expect(reader.maxHeld()).toBeLessThanOrEqual(MAX_BUFFER_BYTES + SLACK);
    reader.close();
  }, 60_000);

  it('holds at most one buffer for a client that never reads, and cuts it off once too many live events wait behind its catch-up', async () => {
    const watched = await watchedGateway();
    gateway = watched.gateway;
    const firstId = await publishPadded(gateway, 0, HISTORY);
    const stalled = await openSse(`${gateway.url}/v1/events?topic=rooms/big`, { 'last-event-id': firstId });
    stalled.pause();
    const nodeSocket = (): Socket | undefined => watched.sockets.find((socket) => socket.writableLength > 0);
    // The catch-up fills the socket, then waits for a drain that never comes.
    await expect.poll(() => nodeSocket()?.writableNeedDrain, { timeout: 15_000 }).toBe(true);
    expect(nodeSocket()!.writableLength).toBeLessThanOrEqual(MAX_BUFFER_BYTES + SLACK);
    expect(gateway.app.connectionCount()).toBe(1);

    await publishPadded(gateway, HISTORY, HISTORY + MAX_HELD_LIVE_EVENTS + 1, '');
    await expect.poll(() => gateway.app.connectionCount(), { timeout: 15_000 }).toBe(0);
    const metrics = await gateway.registry.getSingleMetricAsString('ssehub_gateway_slow_consumer_disconnects_total');
    expect(metrics).toMatch(/ssehub_gateway_slow_consumer_disconnects_total 1$/m);
    stalled.close();
  }, 60_000);
});
