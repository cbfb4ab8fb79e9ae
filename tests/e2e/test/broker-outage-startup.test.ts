import { openSse, ready, startNats, startRedis } from '@ssehub/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { publishTo, spawnApp, type AppProcess } from './support/apps.js';

interface BrokerServer {
  url: string;
  kill(): Promise<void>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const backends: [string, () => Promise<BrokerServer>][] = [
  ['redis', () => startRedis({ appendonly: true })],
  ['nats', () => startNats()],
];

describe.each(backends)('apps started while %s is down', (name, startServer) => {
  const apps: AppProcess[] = [];
  let server: BrokerServer | undefined;
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.process.stop()));
    await server?.stop();
  });

  it('report not-ready, answer 503 to writes, log each retry, and become ready when the broker appears', async () => {
    server = await startServer();
    await server.kill();
    // Gateway and ingest alone make nothing public: the anonymous reads and publishes here need rooms/** opened.
    const env = {
      BROKER_URL: server.url,
      BROKER_PREFIX: `outage${process.pid}${name}`,
      PUBLIC_TOPICS: 'rooms/**',
      ANONYMOUS_PUBLISH_TOPICS: 'rooms/**',
    };
    const gateway = await spawnApp('gateway', env);
    const ingest = await spawnApp('ingest', env);
    apps.push(gateway, ingest);

    for (const app of [gateway, ingest]) {
      const ready = await fetch(`${app.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as { error: { code: string } }).error.code).toBe('unavailable');
    }
    const refused = await publishTo(ingest.url, 'rooms/outage', { n: 0 });
    expect(refused.status).toBe(503);
    expect(refused.body.error.code).toBe('unavailable');
    const subscribe = await fetch(`${gateway.url}/v1/events?topic=rooms/outage`);
    expect(subscribe.status).toBe(503);
    await expect.poll(() => gateway.process.output().split('\n').filter((line) => /attempt/i.test(line)).length, { timeout: 15_000 }).toBeGreaterThanOrEqual(2);

    await server.restart();
    for (const app of [gateway, ingest]) {
      await expect.poll(async () => (await fetch(`${app.url}/readyz`)).status, { timeout: 30_000, interval: 250 }).toBe(200);
    }
    const client = await openSse(`${gateway.url}/v1/events?topic=rooms/outage`);
    await client.waitFor(ready, 'ready');
    const accepted = await publishTo(ingest.url, 'rooms/outage', { n: 1 });
    expect(accepted.status).toBe(201);
    await client.waitFor((c) => c.events().length === 1, 'the event');
    expect(client.events()[0]).toMatchObject({ id: accepted.body.id, data: { n: 1 } });
    client.close();
  });
});
