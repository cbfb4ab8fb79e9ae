import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@ssehub/service-kit';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebServer } from './web-server.js';

let dir: string;
let server: Server;
let base: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ssehub-web-server-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>chat</title>');
  const logger = createLogger({ service: 'web', node: 'web-test', level: 'silent' });
  server = createWebServer({ root: dir, node: 'web-test', logger, registry: new Registry() });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

describe('createWebServer', () => {
  it('answers /healthz and /readyz naming the service and its node, as every app does', async () => {
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', service: 'web', node: 'web-test' });
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', service: 'web', node: 'web-test' });
  });

  it('exports Prometheus metrics on /metrics', async () => {
    const response = await fetch(`${base}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
  });

  it('echoes a sane X-Request-Id and mints one otherwise', async () => {
    const given = await fetch(`${base}/`, { headers: { 'x-request-id': 'edge-123' } });
    expect(given.headers.get('x-request-id')).toBe('edge-123');
    const minted = await fetch(`${base}/`);
    expect(minted.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('serves the page at /', async () => {
    const response = await fetch(`${base}/`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<title>chat</title>');
  });

  it('answers anything else with a JSON 404, never an HTML page', async () => {
    const response = await fetch(`${base}/v1/events`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(await response.json()).toMatchObject({ error: { code: 'not_found' } });
  });
});
