import { ready } from '@ssehub/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { useStreams } from './streams.js';
import { startGateway, testAccess, type GatewayHarness } from './gateway-harness.js';
import { TEST_SECRET, errorOf, signHs256 } from './tokens.js';

const limitHits = async (gateway: GatewayHarness, limit: string): Promise<number> => {
  const line = (await gateway.registry.metrics()).split('\n').find((l) => l.startsWith(`ssehub_limit_hits_total{limit="${limit}"}`));
  return Number(line?.split(' ')[1] ?? Number.NaN);
};

describe('gateway limits and CORS', () => {
  let gateway: GatewayHarness;
  afterEach(async () => {
    await gateway?.close();
  });
  const open = useStreams(() => gateway.url);

  it('refuses a third stream from one address with 429 and counts it, then lets it in once one closed', async () => {
    gateway = await startGateway({ MAX_CONNECTIONS_PER_IP: 2 });
    const first = await open('topic=rooms/a');
    await open('topic=rooms/b');
    const third = await fetch(`${gateway.url}/v1/events?topic=rooms/c`);
    expect(third.headers.get('retry-after')).toBe('5');
    expect(await errorOf(third)).toMatchObject({ status: 429, code: 'too_many_connections' });
    expect(await limitHits(gateway, 'connections_per_ip')).toBe(1);
    first.close();
    await expect.poll(async () => (await open('topic=rooms/c')).status).toBe(200);
  });

  it('counts the addresses of one IPv6 /64 as one client, and a mapped IPv4 address as that address', async () => {
    gateway = await startGateway({ MAX_CONNECTIONS_PER_IP: 2, TRUST_PROXY_HOPS: 1 });
    const from = (address: string) => ({ 'x-forwarded-for': address });
    await open('topic=rooms/a', from('2001:db8:7:7::1'));
    await open('topic=rooms/a', from('2001:db8:7:7:ffff::2'));
    const third = await fetch(`${gateway.url}/v1/events?topic=rooms/a`, { headers: from('2001:db8:7:7:1234:5678:9abc:def0') });
    expect(await errorOf(third)).toMatchObject({ status: 429, code: 'too_many_connections' });
    expect((await open('topic=rooms/a', from('2001:db8:7:8::1'))).status).toBe(200);
    await open('topic=rooms/a', from('203.0.113.9'));
    expect((await open('topic=rooms/a', from('::ffff:203.0.113.9'))).status).toBe(200);
    const third4 = await fetch(`${gateway.url}/v1/events?topic=rooms/a`, { headers: from('203.0.113.9') });
    expect(await errorOf(third4)).toMatchObject({ status: 429, code: 'too_many_connections' });
  });

  it('limits the streams of one token subject, not anonymous ones', async () => {
    const access = testAccess({ JWT_SECRET: TEST_SECRET, PUBLIC_TOPICS: '**' });
    gateway = await startGateway({ MAX_CONNECTIONS_PER_USER: 1 }, undefined, access);
    const token = await signHs256('ana');
    await (await open('topic=rooms/a', { authorization: `Bearer ${token}` })).waitFor(ready, 'ready');
    const second = await fetch(`${gateway.url}/v1/events?topic=rooms/a`, { headers: { authorization: `Bearer ${await signHs256('ana')}` } });
    expect(await errorOf(second)).toMatchObject({ status: 429, code: 'too_many_connections' });
    expect(await limitHits(gateway, 'connections_per_user')).toBe(1);
    for (let i = 0; i < 3; i += 1) expect((await open('topic=rooms/a')).status).toBe(200);
  });

  it('counts too many topics and an oversized Last-Event-ID as limit hits', async () => {
    gateway = await startGateway({ MAX_TOPICS_PER_CONNECTION: 2 });
    expect(await errorOf(await fetch(`${gateway.url}/v1/events?topic=a&topic=b&topic=c`))).toMatchObject({ status: 400 });
    const huge = await fetch(`${gateway.url}/v1/events?topic=a`, { headers: { 'last-event-id': `a-${'1'.repeat(300)}` } });
    expect(await errorOf(huge)).toMatchObject({ status: 400, code: 'invalid_cursor' });
    expect(await limitHits(gateway, 'topics_per_connection')).toBe(1);
    expect(await limitHits(gateway, 'last_event_id')).toBe(1);
  });

  it('sends CORS headers on streams and presence for an allowed origin, with credentials and never *', async () => {
    gateway = await startGateway({ CORS_ORIGINS: ['https://app.example'] });
    const origin = { origin: 'https://app.example' };
    const stream = await open('topic=rooms/a', origin);
    expect(stream.headers['access-control-allow-origin']).toBe('https://app.example');
    expect(stream.headers['access-control-allow-credentials']).toBe('true');
    expect(stream.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    const presence = await fetch(`${gateway.url}/v1/presence/rooms/a`, { headers: origin });
    expect(presence.headers.get('access-control-allow-origin')).toBe('https://app.example');
    const refused = await fetch(`${gateway.url}/v1/events?topic=a`, { headers: { ...origin, accept: 'application/json' } });
    expect(refused.status).toBe(406);
    expect(refused.headers.get('access-control-allow-origin')).toBe('https://app.example');
  });

  it('answers the preflight of a stream with Authorization and Last-Event-ID, and refuses other origins', async () => {
    gateway = await startGateway({ CORS_ORIGINS: ['https://app.example'] });
    const preflight = (origin: string) =>
      fetch(`${gateway.url}/v1/events?topic=a`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization, last-event-id' },
      });
    const allowed = await preflight('https://app.example');
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-headers')).toMatch(/authorization.*last-event-id/);
    expect(await errorOf(await preflight('https://evil.example'))).toMatchObject({ status: 403, code: 'forbidden' });
  });
});
