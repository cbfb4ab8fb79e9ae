import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { get } from 'node:http';
import { fileURLToPath } from 'node:url';
import { createBroker, type Broker } from '@ssehub/broker';
import { freePort, openSse, ready, startProcess, startRedis, waitForHttp, type RedisServer, type RunningProcess, type SseTestClient } from '@ssehub/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadGatewayConfig } from '../src/config.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const main = `${root}dist/main.js`;

/** The cluster runs the built gateway (workers re-run the entry file); build it when src is newer. */
function ensureBuilt(): void {
  const newest = (dir: string): number =>
    Math.max(...readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((file) => statSync(`${dir}/${file}`).mtimeMs));
  if (existsSync(main) && statSync(main).mtimeMs >= newest(`${root}src`)) return;
  execFileSync('npx', ['tsup'], { cwd: root, stdio: 'ignore' });
}

/** The node that answers a request on a fresh connection (fetch would reuse one, always the same worker). */
function answeringNode(healthz: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get(healthz, { agent: false }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.once('end', () => resolve((JSON.parse(body) as { node: string }).node));
    }).once('error', reject);
  });
}

describe('WORKERS', () => {
  it('is 1 by default, a count, or auto for one per core, and refuses to split a memory:// broker', () => {
    expect(loadGatewayConfig({}).WORKERS).toBe(1);
    expect(loadGatewayConfig({ WORKERS: '3', BROKER_URL: 'redis://127.0.0.1:6379' }).WORKERS).toBe(3);
    expect(loadGatewayConfig({ WORKERS: 'auto', BROKER_URL: 'nats://127.0.0.1:4222' }).WORKERS).toBeGreaterThanOrEqual(1);
    expect(() => loadGatewayConfig({ WORKERS: '2' })).toThrow(/WORKERS: more than one worker needs a shared broker/);
    expect(() => loadGatewayConfig({ WORKERS: 'many' })).toThrow(/WORKERS: expected a number of processes/);
  });
});

describe('a gateway node with WORKERS=2', () => {
  let redis: RedisServer;
  let gateway: RunningProcess;
  let broker: Broker;
  let url: string;
  const prefix = `cluster${Date.now().toString(36)}`;
  const streams: SseTestClient[] = [];

  beforeAll(async () => {
    ensureBuilt();
    redis = await startRedis();
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const env = { ...process.env, PORT: String(port), BROKER_URL: redis.url, BROKER_PREFIX: prefix, WORKERS: '2', NODE_ID: 'gw', PUBLIC_TOPICS: '**', LOG_LEVEL: 'warn' };
    gateway = startProcess(process.execPath, [main], { env });
    await waitForHttp(`${url}/readyz`, 30_000);
    // The primary hands connections only to workers that listen: wait until both answered.
    const seen = new Set<string>();
    const deadline = Date.now() + 20_000;
    while (seen.size < 2) {
      if (Date.now() > deadline) throw new Error(`only ${[...seen].join(', ')} answered:\n${gateway.output()}`);
      seen.add(await answeringNode(`${url}/healthz`));
    }
    broker = await createBroker(redis.url, { prefix });
  });

  afterAll(async () => {
    for (const stream of streams) stream.close();
    await broker?.close();
    await gateway?.kill();
    await redis?.stop();
  });

  it('spreads streams over both workers, each a node of its own, and delivers to all of them in order', async () => {
    for (let i = 0; i < 4; i++) streams.push(await openSse(`${url}/v1/events?topic=${prefix}/room`));
    await Promise.all(streams.map((stream) => stream.waitFor(ready, 'ready')));
    const nodes = streams.map((stream) => JSON.parse(stream.messages.find((m) => m.event === 'ssehub.ready')!.data).node);
    expect(new Set(nodes)).toEqual(new Set(['gw-0', 'gw-1']));
    for (let n = 1; n <= 20; n++) await broker.publish([{ topic: `${prefix}/room`, type: 'test', data: { n } }]);
    for (const stream of streams) {
      await stream.waitFor((s) => s.events().length >= 20, '20 events');
      expect(stream.events().map((event) => event.data.n)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    }
  });

  it('answers /metrics through the shared port with the sum over both workers', async () => {
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).toMatch(/^ssehub_gateway_connections 4$/m);
  });

  it('drains every worker on SIGTERM and exits 0', async () => {
    const exited = new Promise<number | null>((resolve) => gateway.child.once('exit', (code) => resolve(code)));
    gateway.child.kill('SIGTERM');
    await Promise.all(streams.map((stream) => stream.ended));
    expect(await exited).toBe(0);
    for (const stream of streams) expect(stream.messages.at(-1)?.event).toBe('ssehub.reconnect');
  });
});
