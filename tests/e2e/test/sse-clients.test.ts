// The SSE clients a user would pick, each used as the README shows, through nginx on two gateways that
// are drained one after the other (SIGTERM, rolling restart) while events keep coming: every client must
// end with every event exactly once, in order. Plain EventSource and fetch-event-source run in Chromium,
// where they are meant to run; the `eventsource` package runs in Node.
import { until } from '@ssehub/testkit';
import { startCluster, type Cluster } from '@ssehub/cluster';
import { EventSource as NodeEventSource } from 'eventsource';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './support/browser.js';
import { fetchEventSourceScript } from './support/fetch-event-source-script.js';

/** Events published in all; a third before the drains, a third during them, a third after. @default 210 */
const TOTAL = 210;
const TYPE = 'client.seq';
const TOPIC = `rooms/clients-${Date.now().toString(36)}`;
const ALL = Array.from({ length: TOTAL }, (_, index) => index + 1);

/** What each client has seen: the `seq` of every event in arrival order, and how many streams it opened. */
interface Seen {
  seqs: number[];
  readies: number;
  /** Plain EventSource only: how often `onmessage` fired (never, since every ssehub event has a type). */
  untyped: number;
}

let cluster: Cluster;
let browser: Browser;
let page: Page;
const node: Seen = { seqs: [], readies: 0, untyped: 0 };
let nodeSource: NodeEventSource;

beforeAll(async () => {
  const env = { LOG_LEVEL: 'warn', RETRY_MS: '300', DRAIN_TIMEOUT_S: '2', PUBLISH_RATE_PER_S: '0' };
  [cluster, browser] = await Promise.all([startCluster({ broker: 'redis', gateways: 2, env }), launchChromium()]);
  // The chat page's CSP allows no inline script; the test injects its clients into that origin.
  const context = await browser.newContext({ bypassCSP: true });
  page = await context.newPage();
  await page.goto(`${cluster.url}/`);
  await page.addScriptTag({ content: fetchEventSourceScript() });
});

afterAll(async () => {
  nodeSource?.close();
  await browser?.close();
  await cluster?.stop();
});

/** Starts both browser clients in the page, as the README shows them. */
function startBrowserClients(url: string): Promise<void> {
  return page.evaluate(
    ({ url, type }) => {
      const seen = (): Seen => ({ seqs: [], readies: 0, untyped: 0 });
      interface Seen {
        seqs: number[];
        readies: number;
        untyped: number;
      }
      const state = { plain: seen(), fetch: seen() };
      Object.assign(window, { clientState: state });

      // Plain EventSource: every ssehub event has a type, so listen by type; onmessage never fires.
      const source = new EventSource(url);
      source.addEventListener(type, (event) => state.plain.seqs.push(JSON.parse((event as MessageEvent).data).data.seq));
      source.addEventListener('ssehub.ready', () => state.plain.readies++);
      source.onmessage = () => state.plain.untyped++;

      // @microsoft/fetch-event-source with the settings that make it resume.
      const { fetchEventSource, EventStreamContentType } = (window as any).fetchEventSourceLib;
      class FatalError extends Error {}
      void fetchEventSource(url, {
        openWhenHidden: true,
        async onopen(response: Response) {
          if (response.ok && response.headers.get('content-type')?.startsWith(EventStreamContentType)) return;
          if (response.status >= 500 || response.status === 429) throw new Error(`retry after ${response.status}`);
          throw new FatalError(`${response.status}: ${await response.text()}`);
        },
        onmessage(message: { event: string; data: string }) {
          if (message.event === type) state.fetch.seqs.push(JSON.parse(message.data).data.seq);
          if (message.event === 'ssehub.ready') state.fetch.readies++;
        },
        onclose() {
          throw new Error('stream ended');
        },
        onerror(error: unknown) {
          if (error instanceof FatalError) throw error;
        },
      });
    },
    { url, type: TYPE },
  );
}

function browserState(): Promise<{ plain: Seen; fetch: Seen }> {
  return page.evaluate(() => (window as unknown as { clientState: { plain: Seen; fetch: Seen } }).clientState);
}

async function allSeen(): Promise<Record<'plain' | 'fetch' | 'eventsource', Seen>> {
  return { ...(await browserState()), eventsource: node };
}

async function publishRange(from: number, to: number): Promise<void> {
  for (let seq = from; seq <= to; seq++) {
    const response = await fetch(`${cluster.url}/v1/publish`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': `${TOPIC}-${seq}` },
      body: JSON.stringify({ topic: TOPIC, type: TYPE, data: { seq } }),
    });
    if (response.status !== 201) throw new Error(`publish ${seq} answered ${response.status}: ${await response.text()}`);
  }
}

/** Waits until every client holds at least `count` events. */
function waitForAll(count: number, what: string): Promise<Awaited<ReturnType<typeof allSeen>>> {
  return until(async () => {
    const seen = await allSeen();
    return Object.values(seen).every((client) => client.seqs.length >= count) && seen;
  }, what, 60_000);
}

describe('SSE clients across a rolling drain of both gateways', () => {
  it('plain EventSource, fetch-event-source and the eventsource package each get every event once, in order', async () => {
    const url = `${cluster.url}/v1/events?topic=${TOPIC}`;
    await startBrowserClients(url);
    // The eventsource package, as the README shows it: typed events by addEventListener.
    nodeSource = new NodeEventSource(url);
    nodeSource.addEventListener(TYPE, (event) => node.seqs.push(JSON.parse(event.data).data.seq));
    nodeSource.addEventListener('ssehub.ready', () => node.readies++);
    await until(async () => Object.values(await allSeen()).every((client) => client.readies >= 1), 'every client live', 30_000);

    const third = TOTAL / 3;
    await publishRange(1, third);
    await waitForAll(third, 'the first third');
    // Each gateway in turn drains (ssehub.reconnect, stream ends) and restarts while events keep coming.
    let next = third + 1;
    for (const gateway of cluster.gateways) {
      const upTo = next + third / cluster.gateways.length - 1;
      await Promise.all([gateway.stop(), publishRange(next, upTo)]);
      next = upTo + 1;
      await gateway.restart();
    }
    await publishRange(next, TOTAL);
    const seen = await waitForAll(TOTAL, 'every event on every client');

    for (const [client, state] of Object.entries(seen)) {
      expect(state.seqs, `${client}: every event once, in order`).toEqual(ALL);
      // Both gateways drained, so every client's stream ended at least once and it opened another.
      expect(state.readies, `${client}: streams opened`).toBeGreaterThanOrEqual(2);
    }
    expect(seen.plain.untyped, 'plain EventSource onmessage').toBe(0);
  });
});
