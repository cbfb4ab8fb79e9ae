// Each app started exactly as the README says (turbo, pnpm --filter, turbo dev), configured only by
// environment variables: the port, the broker, the node id and the access settings must all arrive.
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, openSse, ready, startNats, startRedis, waitForHttp, type NatsServer, type RedisServer } from '@ssehub/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { turboPassThroughEnv, variablesTheAppsRead } from './support/app-env.js';
import { jsonLogLines, runShell, type ShellCommand } from './support/shell-command.js';
import { REPO_ROOT } from './support/standalone.js';

const run = promisify(execFile);

/** Variables turbo.json passes through that no config schema reads, each with its reason. */
const PASSED_THROUGH_FOR_NODE = ['NODE_OPTIONS'];

type App = 'gateway' | 'ingest' | 'web';
type Broker = 'redis' | 'nats' | 'none';

/** The README's ways to start one app; `{app}` is the app's folder name. */
const RUNNERS = {
  turbo: 'pnpm turbo run start --filter=@ssehub/{app}',
  pnpm: 'pnpm --filter @ssehub/{app} start',
  dev: 'pnpm turbo run dev --filter=@ssehub/{app}',
} as const;

const CASES: readonly { app: App; runner: keyof typeof RUNNERS; broker: Broker }[] = [
  { app: 'gateway', runner: 'turbo', broker: 'redis' },
  { app: 'gateway', runner: 'pnpm', broker: 'nats' },
  { app: 'gateway', runner: 'dev', broker: 'redis' },
  { app: 'ingest', runner: 'turbo', broker: 'nats' },
  { app: 'ingest', runner: 'pnpm', broker: 'redis' },
  { app: 'ingest', runner: 'dev', broker: 'nats' },
  { app: 'web', runner: 'turbo', broker: 'none' },
  { app: 'web', runner: 'pnpm', broker: 'none' },
];

let redis: RedisServer;
let nats: NatsServer;
const running = new Set<ShellCommand>();

beforeAll(async () => {
  [redis, nats] = await Promise.all([startRedis(), startNats()]);
});

afterAll(async () => {
  await Promise.all([...running].map((command) => command.stop()));
  await Promise.all([redis?.stop(), nats?.stop()]);
});

describe('turbo passes the apps their configuration', () => {
  it('declares every variable the config schemas read, and nothing else but NODE_OPTIONS', () => {
    const read = variablesTheAppsRead();
    const declared = turboPassThroughEnv();
    expect(read.length).toBeGreaterThan(30);
    expect(read.filter((name) => !declared.includes(name)), 'variables turbo.json does not pass through').toEqual([]);
    expect(declared.filter((name) => !read.includes(name))).toEqual(PASSED_THROUGH_FOR_NODE);
  });
});

describe.each(CASES)('$app started by "$runner" over $broker', ({ app, runner, broker }) => {
  const command = RUNNERS[runner].replace('{app}', app);
  let port: number;
  let started: ShellCommand;
  const nodeId = `${app}-${runner}-documented`;
  const prefix = `doc${runner}${app}`.slice(0, 32);

  beforeAll(async () => {
    port = await freePort();
    const env: Record<string, string> = {
      PORT: String(port),
      NODE_ID: nodeId,
      HOST: '127.0.0.1',
      PUBLIC_TOPICS: 'runs/**',
      ANONYMOUS_PUBLISH_TOPICS: 'runs/**',
      PUBLISH_RATE_PER_S: '0',
    };
    if (broker !== 'none') {
      env.BROKER_URL = broker === 'redis' ? redis.url : nats.url;
      env.BROKER_PREFIX = prefix;
    }
    started = runShell(command, env);
    running.add(started);
    await started.waitForOutput((output) => listeningLine(output) !== undefined, `${app} listening`);
    // The broker connects in the background; until it has, /readyz answers 503.
    await waitForHttp(`http://127.0.0.1:${port}/readyz`, 30_000);
  });

  afterAll(async () => {
    await started.stop();
    running.delete(started);
  });

  it('listens on PORT and HOST, logs its NODE_ID and broker in JSON', () => {
    const line = listeningLine(started.output())!;
    expect(line).toMatchObject({ service: app, node: nodeId, port, host: '127.0.0.1' });
    if (broker !== 'none') expect(line.broker).toBe(broker);
  });

  it('answers /readyz and /metrics as that node', async () => {
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ service: app, node: nodeId });
    const metrics = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('process_cpu_seconds_total');
  });

  if (app === 'gateway') {
    it('serves a topic PUBLIC_TOPICS opened, announcing NODE_ID', async () => {
      const stream = await openSse(`http://127.0.0.1:${port}/v1/events?topic=runs/a`);
      try {
        expect(stream.status).toBe(200);
        await stream.waitFor(ready, 'ssehub.ready');
        const readyFrame = stream.messages.find((message) => message.event === 'ssehub.ready')!;
        expect(JSON.parse(readyFrame.data)).toMatchObject({ node: nodeId, topics: ['runs/a'] });
      } finally {
        stream.close();
      }
    });
  }

  if (app === 'ingest') {
    it('takes an anonymous publish where ANONYMOUS_PUBLISH_TOPICS allows it, into its BROKER_PREFIX', async () => {
      const published = await fetch(`http://127.0.0.1:${port}/v1/publish`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ topic: 'runs/b', type: 'run.check', data: { seq: 1 } }),
      });
      expect(published.status).toBe(201);
      const { id } = (await published.json()) as { id: string };
      const history = await fetch(`http://127.0.0.1:${port}/v1/topics/runs/b/history`);
      expect(((await history.json()) as { events: { id: string; data: unknown }[] }).events).toEqual([
        expect.objectContaining({ id, data: { seq: 1 } }),
      ]);
      if (broker === 'redis') {
        const client = new Redis(redis.url);
        try {
          expect((await client.keys(`${prefix}*`)).length).toBeGreaterThan(0);
        } finally {
          client.disconnect();
        }
      }
    });
  }

  if (app === 'web') {
    it('logs each request as JSON with its reqId', async () => {
      const response = await fetch(`http://127.0.0.1:${port}/`, { headers: { 'x-request-id': `probe-${runner}` } });
      expect(response.status).toBe(200);
      await started.waitForOutput(
        (output) => jsonLogLines(output).some((line) => line.reqId === `probe-${runner}` && line.path === '/' && line.node === nodeId),
        'the request log line',
        10_000,
      );
    });
  }
});

describe('mistakes at start, in one line', () => {
  it.each(['gateway', 'ingest', 'web', 'standalone'])('the start script of an unbuilt %s says to run pnpm build, with no stack trace', async (app) => {
    // The app's folder and the check its script calls, laid out as in the repository but with nothing
    // built; the script runs through sh, as pnpm runs it (pnpm itself would first install there).
    const root = mkdtempSync(join(tmpdir(), 'ssehub-unbuilt-'));
    try {
      const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'apps', app, 'package.json'), 'utf8')) as { scripts: { start: string } };
      mkdirSync(join(root, 'apps', app), { recursive: true });
      cpSync(join(REPO_ROOT, 'scripts'), join(root, 'scripts'), { recursive: true });
      const failed = await run('sh', ['-c', manifest.scripts.start], { cwd: join(root, 'apps', app) }).then(
        () => undefined,
        (error: { code: number; stderr: string }) => error,
      );
      expect(failed?.code).toBe(1);
      expect(failed?.stderr.trim()).toMatch(new RegExp(`^ssehub ${app}: dist[^\\n]* is not built yet: run "pnpm build"[^\\n]*$`));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it.each(['gateway', 'ingest', 'web'])('%s refuses a HOST that is no address, naming the variable', async (app) => {
    const main = join(REPO_ROOT, 'apps', app, app === 'web' ? 'dist-node/main.js' : 'dist/main.js');
    const failed = await run(process.execPath, [main], { env: { ...process.env, HOST: 'http://0.0.0.0', PORT: String(await freePort()) } }).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr.trim()).toMatch(new RegExp(`^ssehub ${app}: invalid configuration: HOST: expected an IP address[^\\n]*$`));
  });
});

function listeningLine(output: string): Record<string, unknown> | undefined {
  return jsonLogLines(output).find((line) => typeof line.msg === 'string' && line.msg.includes(' listening on '));
}
