// Edges a hostile client probes on a RUNNING standalone: admin-token guessing is limited per address and
// counted, per-IP limits count an IPv6 /64 as one client, a path is routed as sent (never re-parsed into
// another route a front proxy did not filter), and ssehub's own `_ssehub/` topics are read through the
// admin API only, never through `PUBLIC_TOPICS=**` or a `**` grant.
import { openSse, type SseTestClient } from '@ssehub/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { E2E_JWT_SECRET, bearer, signJwt } from './support/jwt.js';
import { errorCode, rawRequest, type RawAnswer } from './support/raw-http.js';
import { startStandalone, type StandaloneProcess } from './support/standalone.js';

const ADMIN_TOKEN = 'hostile-edges-admin-token-0123456789abcdef';
/** Wrong admin tokens one address may send before it is answered 429 (the gateway's ADMIN_AUTH_FAILURE_BURST). */
const ADMIN_GUESSES = 10;

let server: StandaloneProcess;
let port = 0;
const streams: SseTestClient[] = [];

/** A GET with the path exactly as given, from the client address `from` (the one proxy hop is trusted). */
function rawGet(path: string, from: string, headers: string[] = []): Promise<RawAnswer> {
  const lines = ['Host: h', 'Accept: text/event-stream', `X-Forwarded-For: ${from}`, ...headers, 'Connection: close'];
  return rawRequest(port, `GET ${path} HTTP/1.1\r\n${lines.map((line) => `${line}\r\n`).join('')}\r\n`, { timeoutMs: 3000 });
}

function expectJsonError(answer: RawAnswer, status: number, code: string): void {
  expect([answer.status, answer.headers['content-type'], errorCode(answer)]).toEqual([status, 'application/json; charset=utf-8', code]);
}

async function limitHits(limit: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return Number(new RegExp(`^ssehub_limit_hits_total\\{limit="${limit}"\\} (\\d+)`, 'm').exec(text)?.[1] ?? Number.NaN);
}

/** Opens a stream of rooms/edges as the client address `from`. */
async function streamFrom(from: string): Promise<SseTestClient> {
  const client = await openSse(`${server.url}/v1/events?topic=rooms/edges`, { 'x-forwarded-for': from });
  streams.push(client);
  return client;
}

beforeAll(async () => {
  server = await startStandalone({
    JWT_SECRET: E2E_JWT_SECRET,
    PUBLIC_TOPICS: '**',
    ADMIN_TOKEN,
    TRUST_PROXY_HOPS: '1',
    MAX_CONNECTIONS_PER_IP: '2',
  });
  port = Number(new URL(server.url).port);
});

afterEach(() => {
  for (const stream of streams.splice(0)) stream.close();
});

afterAll(async () => {
  await server?.stop();
});

describe('admin token guessing', () => {
  it('answers 429 with Retry-After after ten wrong tokens from one address, even to the right token, and counts it on /metrics', async () => {
    const statuses: number[] = [];
    for (let i = 0; i <= ADMIN_GUESSES; i++) {
      statuses.push((await rawGet('/v1/admin/nodes', '203.0.113.50', [`Authorization: Bearer guess-${i}-${'x'.repeat(32)}`])).status);
    }
    expect(statuses).toEqual([...new Array(ADMIN_GUESSES).fill(401), 429]);
    const right = await rawGet('/v1/admin/nodes', '203.0.113.50', [`Authorization: Bearer ${ADMIN_TOKEN}`]);
    expectJsonError(right, 429, 'rate_limited');
    expect(Number(right.headers['retry-after'])).toBeGreaterThan(0);
    expect(await limitHits('admin_auth')).toBe(2);
    // Another address is not held back by the guesser.
    expect((await rawGet('/v1/admin/nodes', '203.0.113.51', [`Authorization: Bearer ${ADMIN_TOKEN}`])).status).toBe(200);
  });
});

describe('per-address stream limits over IPv6', () => {
  it('counts the addresses of one /64 as one client, and an IPv4-mapped address as its IPv4 address', async () => {
    await streamFrom('2001:db8:5:6::1');
    await streamFrom('2001:db8:5:6:aaaa:bbbb:cccc:dddd');
    expectJsonError(await rawGet('/v1/events?topic=rooms/edges', '2001:db8:5:6:ffff::9'), 429, 'too_many_connections');
    expect((await streamFrom('2001:db8:5:7::1')).status).toBe(200);
    await streamFrom('198.51.100.7');
    expect((await streamFrom('::ffff:198.51.100.7')).status).toBe(200);
    expectJsonError(await rawGet('/v1/events?topic=rooms/edges', '198.51.100.7'), 429, 'too_many_connections');
  });
});

describe('routing by the path as sent', () => {
  it.each(['//evil/v1/events?topic=rooms/edges', '//x/v1/admin/nodes', '/v1/x/../events?topic=rooms/edges', '//x/v1/presence/rooms/edges'])(
    'answers 404 JSON to %s',
    async (path) => {
      expectJsonError(await rawGet(path, '203.0.113.60', [`Authorization: Bearer ${ADMIN_TOKEN}`]), 404, 'not_found');
    },
  );
});

describe('reserved _ssehub topics', () => {
  const everything = signJwt('reader-of-everything', { ssehub: { subscribe: ['**'], publish: ['**'] } });
  const reads = ['/v1/events?topic=_ssehub/nodes', '/v1/presence/_ssehub/nodes', '/v1/topics/_ssehub/nodes/history', '/v1/events?topic=_ssehub/lag'];

  it.each(reads)('refuses %s to an anonymous client although PUBLIC_TOPICS=**', async (path) => {
    expectJsonError(await rawGet(path, '203.0.113.70'), 401, 'unauthorized');
  });

  it.each(reads)('refuses %s to a token granted **', async (path) => {
    expectJsonError(await rawGet(path, '203.0.113.71', [`Authorization: Bearer ${everything}`]), 403, 'forbidden');
  });

  it('leaves them to the admin API', async () => {
    const answer = await fetch(`${server.url}/v1/admin/topics/${encodeURIComponent('_ssehub/nodes')}/recent`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'x-forwarded-for': '203.0.113.72' },
    });
    expect(answer.status).toBe(200);
    expect(((await answer.json()) as { topic: string }).topic).toBe('_ssehub/nodes');
  });

  it('still serves ordinary topics to the same grant', async () => {
    const client = await openSse(`${server.url}/v1/events?topic=rooms/edges`, { ...bearer(everything), 'x-forwarded-for': '203.0.113.73' });
    streams.push(client);
    expect(client.status).toBe(200);
  });
});
