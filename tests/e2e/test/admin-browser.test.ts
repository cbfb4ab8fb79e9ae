import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { AdminNodesResponseSchema } from '@ssehub/protocol';
import { openSse, ready, startRedis, waitForHttp, type RedisServer, type SseTestClient, until } from '@ssehub/testkit';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnApp, type AppProcess } from './support/apps.js';
import { launchChromium } from './support/browser.js';
import { REPO_ROOT, startStandalone, type StandaloneProcess } from './support/standalone.js';

const ADMIN_TOKEN = 'e2e-admin-token-0123456789abcdefghijkl';
const ARTIFACTS = join(REPO_ROOT, 'tests/e2e/artifacts');

let redis: RedisServer;
let nodeA: StandaloneProcess;
let nodeB: AppProcess;
let browser: Browser;
let page: Page;
const streams: SseTestClient[] = [];

async function stream(url: string, topics: string[]): Promise<void> {
  const client = await openSse(`${url}/v1/events?${topics.map((topic) => `topic=${topic}`).join('&')}`);
  streams.push(client);
  if (client.status !== 200) throw new Error(`stream on ${url} answered ${client.status}: ${client.raw()}`);
  await client.waitFor(ready, `ready on ${url}`);
}

beforeAll(async () => {
  redis = await startRedis();
  // Two nodes on one broker: the standalone (which serves the page) and a plain gateway.
  const env = { BROKER_URL: redis.url, BROKER_PREFIX: `admin${process.pid}`, ADMIN_TOKEN, LAG_PROBE_S: '1' };
  nodeA = await startStandalone({ ...env, NODE_ID: 'node-a' });
  nodeB = await spawnApp('gateway', { ...env, NODE_ID: 'node-b', PUBLIC_TOPICS: 'rooms/**' });
  await waitForHttp(`${nodeB.url}/readyz`, 20_000);
  for (let n = 0; n < 3; n++) await stream(nodeA.url, n === 0 ? ['rooms/lobby', 'rooms/dev'] : ['rooms/lobby']);
  for (let n = 0; n < 3; n++) await stream(nodeB.url, n === 0 ? ['rooms/ops'] : ['rooms/lobby']);
  for (const [author, text] of [['ada', 'hello lobby'], ['bob', 'deploy at 5?'], ['ada', '<b>not bold</b>']]) {
    const response = await fetch(`${nodeA.url}/v1/rooms/lobby/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text, author }),
    });
    expect(response.status).toBe(201);
  }
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1200, height: 860 } })).newPage();
});

afterAll(async () => {
  for (const client of streams) client.close();
  await browser?.close();
  await nodeB?.process.stop();
  await nodeA?.stop();
  await redis?.stop();
});

const rowsOf = (selector: string): Promise<string[][]> =>
  page.$$eval(`[data-testid="${selector}"] tr`, (rows) => rows.map((row) => Array.from(row.querySelectorAll('td'), (td) => td.textContent ?? '')));

describe('the admin view in Chromium, over two nodes', () => {
  it('lists every node from any node of the cluster', async () => {
    // Each node reports every few seconds (the first report may come before its broker connection).
    const names = await until(async () => {
      const response = await fetch(`${nodeB.url}/v1/admin/nodes`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      const reported = AdminNodesResponseSchema.parse(await response.json()).nodes.map((node) => node.node);
      return reported.length >= 2 && reported;
    }, 'both nodes in the list');
    expect(names).toEqual(['node-a', 'node-b']);
  });

  it('refuses a wrong token', async () => {
    await page.goto(`${nodeA.url}/admin.html`);
    await page.fill('[data-testid="admin-token"]', 'wrong-token-wrong-token');
    await page.click('[data-testid="admin-connect"]');
    await page.locator('[data-testid="admin-error"]').waitFor({ state: 'visible' });
    expect(await page.textContent('[data-testid="admin-error"]')).toContain('not accepted');
  });

  it('shows the nodes with their streams, the topics across nodes, and recent events', async () => {
    await page.fill('[data-testid="admin-token"]', ADMIN_TOKEN);
    await page.click('[data-testid="admin-connect"]');
    // Reports refresh every few seconds; wait until both nodes show all their streams.
    await page.waitForFunction(
      () => {
        const counts = Array.from(document.querySelectorAll('[data-testid="node-row"] .connections'), (td) => td.textContent);
        return counts.join(',') === '3,3';
      },
      undefined,
      { timeout: 20_000 },
    );
    const nodes = await rowsOf('nodes');
    expect(nodes.map((row) => row.slice(0, 4))).toEqual([
      ['node-a', '3', '2', '1'],
      ['node-b', '3', '2', '1'],
    ]);
    expect(await page.isHidden('[data-testid="admin-error"]')).toBe(true);
    const topics = await rowsOf('topics');
    expect(topics).toEqual([
      ['rooms/lobby', '5', 'node-a, node-b'],
      ['rooms/dev', '1', 'node-a'],
      ['rooms/ops', '1', 'node-b'],
    ]);

    await page.click('[data-testid="topics"] button:text("rooms/lobby")');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="recent-event"]').length >= 3);
    const texts = await page.$$eval('[data-testid="recent-event"] .data', (items) => items.map((item) => item.textContent));
    expect(texts).toEqual([
      JSON.stringify({ text: '<b>not bold</b>', author: 'ada' }),
      JSON.stringify({ text: 'deploy at 5?', author: 'bob' }),
      JSON.stringify({ text: 'hello lobby', author: 'ada' }),
    ]);
    expect(await page.locator('[data-testid="recent"] b').count()).toBe(0);
    // Broker lag is probed every second; the page shows a figure, not a dash.
    await page.waitForFunction(() =>
      Array.from(document.querySelectorAll('[data-testid="node-row"]')).every((row) => /\d/.test(row.children[4]?.textContent ?? '')),
    );
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'admin.png'), fullPage: true });
  });

  it('drops a node that shut down', async () => {
    await nodeB.process.stop();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="node-row"]').length === 1, undefined, { timeout: 20_000 });
    expect((await rowsOf('nodes'))[0]?.[0]).toBe('node-a');
  });
});
