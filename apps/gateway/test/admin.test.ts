import { createMemoryBroker, type Broker } from '@ssehub/broker';
import { AdminNodesResponseSchema, HistoryResponseSchema } from '@ssehub/protocol';
import { openSse, ready, until, type SseTestClient } from '@ssehub/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { loadGatewayConfig } from '../src/config.js';
import { startGateway, type GatewayHarness } from './gateway-harness.js';

const ADMIN_TOKEN = 'admin-token-for-the-tests-32-chars';
const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };

const gateways: GatewayHarness[] = [];
const streams: SseTestClient[] = [];
afterEach(async () => {
  for (const stream of streams.splice(0)) stream.close();
  // Shared brokers are closed by the first harness; the others find them closed.
  for (const gateway of gateways.splice(0)) await gateway.close().catch(() => {});
});

async function gateway(nodeId: string, broker: Broker, extra: Record<string, unknown> = {}): Promise<GatewayHarness> {
  const started = await startGateway({ NODE_ID: nodeId, ADMIN_TOKEN, PRESENCE_TTL_S: 3, ...extra }, broker);
  gateways.push(started);
  return started;
}

async function stream(url: string, topics: string[]): Promise<SseTestClient> {
  const client = await openSse(`${url}/v1/events?${topics.map((topic) => `topic=${topic}`).join('&')}`);
  streams.push(client);
  await client.waitFor(ready, 'ready');
  return client;
}

const nodesOf = async (url: string) =>
  AdminNodesResponseSchema.parse(await (await fetch(`${url}/v1/admin/nodes`, { headers: auth })).json()).nodes;

describe('the admin read API', () => {
  it('is off without ADMIN_TOKEN and refuses a missing or wrong token', async () => {
    const broker = createMemoryBroker();
    const off = await gateway('gw-off', broker, { ADMIN_TOKEN: undefined });
    const response = await fetch(`${off.url}/v1/admin/nodes`, { headers: auth });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('forbidden');
    const on = await gateway('gw-on', broker);
    const missing = await fetch(`${on.url}/v1/admin/nodes`);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const wrong = await fetch(`${on.url}/v1/admin/nodes`, { headers: { authorization: 'Bearer not-the-token-at-all' } });
    expect(wrong.status).toBe(401);
    expect((await fetch(`${on.url}/v1/admin/nodes`, { method: 'POST', headers: auth })).status).toBe(405);
    expect((await fetch(`${on.url}/v1/admin/elsewhere`, { headers: auth })).status).toBe(404);
  });

  it('refuses to start with an ADMIN_TOKEN shorter than 32 characters, naming the variable', () => {
    expect(() => loadGatewayConfig({ ADMIN_TOKEN: 'x'.repeat(31) })).toThrow(/^invalid configuration: ADMIN_TOKEN: expected at least 32 characters/);
    expect(loadGatewayConfig({ ADMIN_TOKEN: 'x'.repeat(32) }).ADMIN_TOKEN).toBe('x'.repeat(32));
    expect(loadGatewayConfig({}).ADMIN_TOKEN).toBeUndefined();
  });

  it('answers 429 with Retry-After to an address after ten wrong tokens, even with the right one, counts it, and lets other addresses in', async () => {
    const on = await gateway('gw-guess', createMemoryBroker(), { TRUST_PROXY_HOPS: 1 });
    const from = (address: string, token: string) => ({ authorization: `Bearer ${token}`, 'x-forwarded-for': address });
    const statuses: number[] = [];
    for (let i = 0; i < 12; i += 1) {
      statuses.push((await fetch(`${on.url}/v1/admin/nodes`, { headers: from('203.0.113.7', `guess-${i}`) })).status);
    }
    expect(statuses).toEqual([...new Array(10).fill(401), 429, 429]);
    const right = await fetch(`${on.url}/v1/admin/nodes`, { headers: from('203.0.113.7', ADMIN_TOKEN) });
    expect(right.status).toBe(429);
    expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await right.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
    expect((await fetch(`${on.url}/v1/admin/nodes`, { headers: from('203.0.113.8', ADMIN_TOKEN) })).status).toBe(200);
    const metrics = await on.registry.metrics();
    expect(metrics).toContain('ssehub_limit_hits_total{limit="admin_auth"} 3');
  });

  it('lists every gateway on the broker with its connections and busiest topics, from any node', async () => {
    const broker = createMemoryBroker();
    const a = await gateway('gw-a', broker);
    const b = await gateway('gw-b', broker);
    await stream(a.url, ['rooms/x', 'rooms/y']);
    await stream(a.url, ['rooms/x']);
    await stream(b.url, ['rooms/x']);
    const nodes = await until(async () => {
      const list = await nodesOf(b.url);
      return list.length === 2 && list.every((node) => node.connections > 0) && list;
    }, 'both nodes reporting their streams');
    expect(nodes.map((node) => [node.node, node.connections, node.topicCount, node.workers])).toEqual([
      ['gw-a', 2, 2, 1],
      ['gw-b', 1, 1, 1],
    ]);
    expect(nodes[0]?.topics).toEqual([
      { topic: 'rooms/x', connections: 2 },
      { topic: 'rooms/y', connections: 1 },
    ]);
    expect(nodes[0]!.expiresAt).toBeGreaterThan(Date.now());
    // A node that shuts down withdraws its report.
    await gateways.splice(0, 1)[0]!.app.close();
    expect((await nodesOf(b.url)).map((node) => node.node)).toEqual(['gw-b']);
  });

  it('shows the newest events of any topic, oldest first, within the limit', async () => {
    const g = await gateway('gw-recent', createMemoryBroker());
    for (let n = 1; n <= 5; n++) await g.publish('users/7/inbox', n);
    const response = await fetch(`${g.url}/v1/admin/topics/users%2F7%2Finbox/recent?limit=3`, { headers: auth });
    const page = HistoryResponseSchema.parse(await response.json());
    expect(page.events.map((event) => (event.data as { n: number }).n)).toEqual([3, 4, 5]);
    expect(page.events[0]).not.toHaveProperty('seq');
    const bad = await fetch(`${g.url}/v1/admin/topics/users/7/inbox/recent?limit=0`, { headers: auth });
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('bad_request');
    const invalid = await fetch(`${g.url}/v1/admin/topics/not%20a%20topic/recent`, { headers: auth });
    expect(((await invalid.json()) as { error: { code: string } }).error.code).toBe('invalid_topic');
  });

  it('samples broker lag on a timer and reports it in metrics and in the node list', async () => {
    const g = await gateway('gw-lag', createMemoryBroker(), { LAG_PROBE_S: 1 });
    const nodes = await until(async () => {
      const list = await nodesOf(g.url);
      return list[0]?.brokerLagSeconds != null && list;
    }, 'a measured broker lag');
    expect(nodes[0]!.brokerLagSeconds).toBeLessThan(1);
    const metrics = await g.registry.metrics();
    const lag = Number(/^ssehub_gateway_broker_lag_seconds (\S+)$/m.exec(metrics)?.[1]);
    expect(lag).toBeGreaterThanOrEqual(0);
    expect(lag).toBeLessThan(1);
  });
});

describe('request ids on the gateway', () => {
  it('echoes the caller\'s X-Request-Id on a stream, and makes one up otherwise', async () => {
    const g = await gateway('gw-ids', createMemoryBroker());
    const given = await openSse(`${g.url}/v1/events?topic=rooms/ids`, { 'x-request-id': 'edge-1234' });
    streams.push(given);
    expect(given.headers['x-request-id']).toBe('edge-1234');
    const made = await fetch(`${g.url}/v1/presence/rooms/ids`);
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
