import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { freePort, startProcess, until, waitForHttp, type RunningProcess } from '@ssehub/testkit';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const running: RunningProcess[] = [];

beforeAll(() => {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run "npx tsup" in apps/ingest before these tests`);
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((process) => process.kill()));
});

function childEnv(vars: Record<string, string>): NodeJS.ProcessEnv {
  // The publishes here are anonymous; ingest alone lets nobody publish without a token by default.
  return { PATH: process.env.PATH, NODE_ID: 'ingest-test', BROKER_URL: 'memory://', ANONYMOUS_PUBLISH_TOPICS: 'main/**', ...vars };
}

async function startMain(port: number): Promise<RunningProcess> {
  const child = startProcess(process.execPath, [MAIN], { env: childEnv({ PORT: String(port) }) });
  running.push(child);
  await waitForHttp(`http://127.0.0.1:${port}/healthz`);
  return child;
}

function exitCode(child: RunningProcess): Promise<number | null> {
  if (child.child.exitCode !== null) return Promise.resolve(child.child.exitCode);
  return new Promise((resolve) => child.child.once('exit', (code) => resolve(code)));
}

function waitForOutput(child: RunningProcess, text: string): Promise<true> {
  return until(() => child.output().includes(text), `"${text}" in the output`);
}

describe('node dist/main.js', () => {
  it('exits 1 with one stderr line naming PORT when PORT=abc', () => {
    const result = spawnSync(process.execPath, [MAIN], { env: childEnv({ PORT: 'abc' }), encoding: 'utf8', timeout: 10_000 });
    expect(result.status).toBe(1);
    const lines = result.stderr.split('\n').filter((line) => line.length > 0);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('PORT');
    expect(lines[0]).toContain('abc');
    expect(result.stdout).toBe('');
  });

  it('exits 1 with one stderr line when its port is taken', async () => {
    const port = await freePort();
    await startMain(port);
    const result = spawnSync(process.execPath, [MAIN], { env: childEnv({ PORT: String(port) }), encoding: 'utf8', timeout: 10_000 });
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringContaining(`port ${port}`)]);
  });

  it('serves /healthz, /readyz, /metrics and /v1/publish, then exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const child = await startMain(port);
    const base = `http://127.0.0.1:${port}`;
    expect(child.output()).toContain(`http://localhost:${port}`);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const publish = await fetch(`${base}/v1/publish`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ topic: 'main/check', type: 'x', data: 1 }),
    });
    expect(publish.status).toBe(201);
    expect(await (await fetch(`${base}/metrics`)).text()).toMatch(/ssehub_ingest_events_published_total 1/);
    const exited = exitCode(child);
    child.child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('finishes a request in flight at SIGTERM, refuses new connections, then exits 0', async () => {
    const port = await freePort();
    const child = await startMain(port);
    const body = JSON.stringify({ topic: 'main/drain', type: 'x', data: { n: 1 } });
    // Expect: 100-continue makes the server say when it parsed the head: from then on the request is in flight.
    const headers = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), connection: 'keep-alive', expect: '100-continue' };
    const req = request({ port, host: '127.0.0.1', method: 'POST', path: '/v1/publish', agent: false, headers });
    const answer = new Promise<{ status: number; connection: string | undefined; body: string }>((resolve, reject) => {
      req.on('response', (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body: text }));
      });
      req.on('error', reject);
    });
    await new Promise((resolve) => req.once('continue', resolve));
    req.write(body.slice(0, 10));
    const exited = exitCode(child);
    child.child.kill('SIGTERM');
    await waitForOutput(child, 'stopping');
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    req.end(body.slice(10));
    const response = await answer;
    expect(response.status).toBe(201);
    expect(response.connection).toBe('close');
    expect(JSON.parse(response.body)).toMatchObject({ topic: 'main/drain', type: 'x' });
    // The connection closes with its last response (above), so the exit never waits out keepAliveTimeout.
    expect(await exited).toBe(0);
  });
});
