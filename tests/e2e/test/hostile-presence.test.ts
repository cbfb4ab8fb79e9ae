// Presence abuse against a RUNNING standalone with JWT on: a subscribe-only token that opens stream after
// stream with `?user=` over fresh topics must not get anything stored (presence is live-only), must hit
// the presence rate, and must not grow the process without bound; over Redis it must create no keys.
import { openSse, ready, startRedis, type RedisServer } from '@ssehub/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rssBytes } from './support/hostile.js';
import { E2E_JWT_SECRET, bearer, signJwt } from './support/jwt.js';
import { startStandalone, type StandaloneProcess } from './support/standalone.js';

const TOPICS_PER_STREAM = 32;
/** Streams open at once; under MAX_CONNECTIONS_PER_USER. */
const CONCURRENCY = 16;
/** The process may grow by this much handling the storm (sockets, buffers, heap); stored presence grew it by 90 MB for these 2,000 streams. */
const RSS_GROWTH_BOUND_KB = 64 * 1024;

const ENV = { JWT_SECRET: E2E_JWT_SECRET, MAX_CONNECTIONS_PER_USER: '20', MAX_TOPICS_PER_CONNECTION: String(TOPICS_PER_STREAM) };
const lurker = signJwt('lurker', { ssehub: { subscribe: ['scratch/**'] } });

/** The fresh topics of stream `n`. */
const topicsOf = (run: string, n: number): string[] => Array.from({ length: TOPICS_PER_STREAM }, (_, i) => `scratch/${run}/s${n}t${i}`);

/** Opens `count` streams with `?user=`, each over fresh topics, each closed once ready; `CONCURRENCY` at a time. */
async function presenceStorm(base: string, run: string, count: number): Promise<void> {
  let next = 0;
  async function worker(): Promise<void> {
    for (let n = next++; n < count; n = next++) {
      const query = topicsOf(run, n).map((topic) => `topic=${topic}`).join('&');
      const stream = await openSse(`${base}/v1/events?${query}&user=someone-else`, bearer(lurker));
      await stream.waitFor(ready, `stream ${n} ready`);
      stream.close();
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

/** The stored events of a topic, read with the lurker's own token. */
async function history(base: string, topic: string): Promise<unknown[]> {
  const response = await fetch(`${base}/v1/topics/${topic}/history?limit=10`, { headers: bearer(lurker) });
  expect(response.status).toBe(200);
  return ((await response.json()) as { events: unknown[] }).events;
}

async function presenceRateHits(base: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  return Number(/^ssehub_limit_hits_total\{limit="presence_rate"\} (\d+)/m.exec(text)?.[1] ?? Number.NaN);
}


describe('presence abuse on the memory broker', () => {
  let server: StandaloneProcess;
  beforeAll(async () => {
    server = await startStandalone(ENV);
  });
  afterAll(() => server?.stop());

  it('stores nothing, hits the presence rate and stays within a bounded RSS', async () => {
    // The token may not publish: what presence did on its behalf was the only way it could write.
    const publish = await fetch(`${server.url}/v1/publish`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(lurker) },
      body: JSON.stringify({ topic: 'scratch/x', type: 'test.n', data: {} }),
    });
    expect(publish.status).toBe(403);
    const pid = server.process.child.pid!;
    await presenceStorm(server.url, 'warm', 40);
    const before = rssBytes(pid) / 1024;
    const streams = 2000;
    await presenceStorm(server.url, 'storm', streams);
    const growth = rssBytes(pid) / 1024 - before;
    expect(growth).toBeLessThan(RSS_GROWTH_BOUND_KB);
    // The first streams were within the rate and were counted; later ones were not. None stored a thing.
    for (const n of [0, 1, 2, 100, 1000, streams - 1]) {
      for (const topic of [topicsOf('storm', n)[0]!, topicsOf('storm', n)[TOPICS_PER_STREAM - 1]!]) {
        expect(await history(server.url, topic)).toEqual([]);
      }
    }
    expect(await presenceRateHits(server.url)).toBeGreaterThan(0);
    const alive = await fetch(`${server.url}/readyz`);
    expect(alive.status).toBe(200);
  });
});

describe('presence abuse on the Redis broker', () => {
  let redis: RedisServer;
  let server: StandaloneProcess;
  let client: Redis;
  const prefix = `hostilepres${process.pid}`;
  beforeAll(async () => {
    redis = await startRedis();
    client = new Redis(redis.url);
    server = await startStandalone({ ...ENV, BROKER_URL: redis.url, BROKER_PREFIX: prefix });
  });
  afterAll(async () => {
    await server?.stop();
    client?.disconnect();
    await redis?.stop();
  });

  /** Keys of the storm's topics: history (`:t:`), retention (`:m:`) or presence (`:p:`). */
  const stormKeys = async (): Promise<string[]> => (await client.keys(`${prefix}:*`)).filter((key) => key.includes('scratch/'));

  it('creates no history keys for presence, and every presence key goes with its streams', async () => {
    await presenceStorm(server.url, 'redis', 120);
    const historyKeys = (keys: string[]): string[] => keys.filter((key) => key.startsWith(`${prefix}:t:`) || key.startsWith(`${prefix}:m:`));
    expect(historyKeys(await stormKeys())).toEqual([]);
    // Leaves are written as the streams close; once they are, no key of those topics remains.
    await expect.poll(stormKeys, { timeout: 20_000, interval: 100 }).toEqual([]);
    await expect.poll(() => client.scard(`${prefix}:p:topics`), { timeout: 20_000, interval: 100 }).toBeLessThan(5);
    expect(await history(server.url, topicsOf('redis', 0)[0]!)).toEqual([]);
    expect(await presenceRateHits(server.url)).toBeGreaterThan(0);
  });
});
