import { decodeCursor } from '@ssehub/protocol';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '@ssehub/testkit';
import { launchChromium, sendMessage, waitForConnectionState, waitForMessageCount } from './support/browser.js';
import { HARNESS_PATH, serveClientHarness, type HarnessRecord } from './support/client-harness.js';
import { TEST_JWT_SECRET, signToken } from './support/hs256.js';
import { startStandalone, type StandaloneProcess } from './support/standalone.js';

/** Tabs of one origin; more than the six HTTP/1.1 connections a browser allows per origin. */
const TABS = 8;

let server: StandaloneProcess;
let browser: Browser;
const prefix = `multitab-${Date.now().toString(36)}`;

beforeAll(async () => {
  // Test topics need a token to read (the tabs carry it in the ssehub_token cookie); the chat's rooms stay open.
  server = await startStandalone({ JWT_SECRET: TEST_JWT_SECRET, ANONYMOUS_PUBLISH_TOPICS: `rooms/**,${prefix}/**` });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function serverConnections(): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const match = /^ssehub_gateway_connections(?:\{[^}]*\})? (\d+)$/m.exec(text);
  if (!match) throw new Error('no ssehub_gateway_connections in /metrics');
  return Number(match[1]);
}

const recordOf = (page: Page): Promise<HarnessRecord> =>
  page.evaluate(() => {
    const { received, readies, states, errors } = (window as unknown as { harness: HarnessRecord }).harness;
    return { received, readies, states, errors };
  });
const isLeader = (page: Page): Promise<boolean> =>
  page.evaluate(() => (window as unknown as { harness: { isLeader(): Promise<boolean> } }).harness.isLeader());

/** Publishes `test.n` events numbered from..to on `topic`, one after another. */
async function publishRange(topic: string, from: number, to: number, pauseMs = 0): Promise<void> {
  for (let n = from; n <= to; n++) {
    await server.publish(topic, { n });
    if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
}

/** Exactly 1..count of `topic`, once each and in order, with ids increasing across all topics. */
function expectComplete(record: HarnessRecord, counts: Record<string, number>): void {
  for (const [topic, count] of Object.entries(counts)) {
    const numbers = record.received.filter((event) => event.topic === topic).map((event) => event.n);
    expect(numbers, topic).toEqual(Array.from({ length: count }, (_, index) => index + 1));
  }
  expect(record.received.every((event) => event.topic in counts)).toBe(true);
  const seqs = record.received.map((event) => decodeCursor(event.id)?.positions[0] ?? Number.NaN);
  for (let index = 1; index < seqs.length; index++) expect(seqs[index]).toBeGreaterThan(seqs[index - 1]!);
  expect(record.errors).toEqual([]);
}

describe('one shared connection for all tabs of an origin, in Chromium', () => {
  const a = `${prefix}/a`;
  const b = `${prefix}/b`;
  let context: BrowserContext;
  const pages: Page[] = [];
  /** Every tab wants topic a; the even ones want b too. */
  const wantsB = new Set<Page>();

  it(`opens ${TABS} tabs that all go live over ONE server connection`, async () => {
    context = await browser.newContext();
    const token = signToken('tabs', { subscribe: [`${prefix}/**`] });
    await context.addCookies([{ name: 'ssehub_token', value: token, url: server.url }]);
    await serveClientHarness(context, server.url);
    for (let index = 0; index < TABS; index++) {
      const page = await context.newPage();
      const topics = index % 2 === 0 ? [a, b] : [a];
      if (index % 2 === 0) wantsB.add(page);
      await page.goto(`${server.url}${HARNESS_PATH}?${topics.map((topic) => `topic=${encodeURIComponent(topic)}`).join('&')}`);
      await page.waitForFunction(() => (window as unknown as { harness?: HarnessRecord }).harness?.readies.length === 1);
      pages.push(page);
    }
    await until(async () => (await serverConnections()) === 1, 'one server connection');
    const leaders = await Promise.all(pages.map(isLeader));
    expect(leaders.filter(Boolean)).toHaveLength(1);
  });

  it('delivers every event to every tab that wants its topic, once and in order', async () => {
    await Promise.all([publishRange(a, 1, 40), publishRange(b, 1, 40)]);
    await until(async () => {
      const records = await Promise.all(pages.map(recordOf));
      return records.every((record, index) => record.received.length >= (wantsB.has(pages[index]!) ? 80 : 40));
    }, 'every tab to receive its events');
    for (const page of pages) expectComplete(await recordOf(page), wantsB.has(page) ? { [a]: 40, [b]: 40 } : { [a]: 40 });
    expect(await serverConnections()).toBe(1);
  });

  it('hands the connection to another tab when the leader closes, losing and repeating nothing', async () => {
    const leaderIndex = (await Promise.all(pages.map(isLeader))).indexOf(true);
    const [leader] = pages.splice(leaderIndex, 1);
    // Events keep coming while the leader goes away and the next tab takes over.
    const publishing = Promise.all([publishRange(a, 41, 100, 10), publishRange(b, 41, 100, 10)]);
    await until(async () => (await recordOf(pages[0]!)).received.some((event) => event.n >= 45), 'events after 40 to reach the tabs');
    await leader!.close();
    await publishing;
    const expected = (page: Page): Record<string, number> => (wantsB.has(page) ? { [a]: 100, [b]: 100 } : { [a]: 100 });
    const total = (page: Page): number => Object.values(expected(page)).reduce((sum, count) => sum + count, 0);
    await until(
      async () => (await Promise.all(pages.map(async (page) => (await recordOf(page)).received.length >= total(page)))).every(Boolean),
      'the remaining tabs to catch up',
    );
    for (const page of pages) {
      const record = await recordOf(page);
      expectComplete(record, expected(page));
      // Each tab heard of the new leader's stream once, as a resume.
      expect(record.readies).toHaveLength(2);
      expect(record.readies[1]).toMatchObject({ resumed: true });
    }
    const leaders = await Promise.all(pages.map(isLeader));
    expect(leaders.filter(Boolean)).toHaveLength(1);
    await until(async () => (await serverConnections()) === 1, 'one server connection again');
  });

  it('closes the server connection when the last tab closes', async () => {
    await context.close();
    await until(async () => (await serverConnections()) === 0, 'no server connection');
  });
});

describe('the chat in several tabs of one browser profile', () => {
  it('uses one connection for all its tabs and shows every message in each', async () => {
    const context = await browser.newContext();
    try {
      await context.addInitScript(() => localStorage.setItem('ssehub.nickname', 'tabby'));
      const room = `${prefix}-chat`;
      const tabs: Page[] = [];
      for (let index = 0; index < 3; index++) {
        const page = await context.newPage();
        await page.goto(`${server.url}/#room=${room}`);
        await waitForConnectionState(page, 'live');
        tabs.push(page);
      }
      await until(async () => (await serverConnections()) === 1, 'one connection for three chat tabs');
      for (const [index, tab] of tabs.entries()) await sendMessage(tab, `from tab ${index + 1}`);
      await Promise.all(tabs.map((tab) => waitForMessageCount(tab, 3)));
      for (const tab of tabs) {
        const texts = await tab.locator('[data-testid="message"] .text').allTextContents();
        expect(texts).toEqual(['from tab 1', 'from tab 2', 'from tab 3']);
      }
    } finally {
      await context.close();
    }
  });
});
