// The chat page through nginx in headless Chromium, two users whose streams are on different gateways:
// they exchange messages, the gateway of one is killed (kill -9), that page shows reconnecting then
// resumed on the other gateway, and neither page misses a message, not even those sent meanwhile.
import { until } from '@ssehub/testkit';
import { startCluster, type Cluster } from '@ssehub/cluster';
import { AdminNodesResponseSchema, HistoryResponseSchema, decodeCursor, type AdminNode } from '@ssehub/protocol';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, readMessages, sendMessage, waitForConnectionState, waitForMessageCount } from './support/browser.js';

const ADMIN_TOKEN = 'cluster-browser-admin-token-0123456789';
/** Tries to get the second page's stream onto another gateway than the first's (nginx round robin). */
const PLACEMENT_ATTEMPTS = 6;

/** Records every `data-state` the connection badge takes, so a short-lived state cannot slip past the test. */
function recordConnectionStates(): void {
  const states: string[] = [];
  Object.assign(window, { ssehubStates: states });
  new MutationObserver(() => {
    const state = document.querySelector<HTMLElement>('[data-testid="connection-state"]')?.dataset.state;
    if (state && states.at(-1) !== state) states.push(state);
  }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'] });
}

const statesOf = (page: Page): Promise<string[]> => page.evaluate(() => (window as unknown as { ssehubStates: string[] }).ssehubStates);
/** The node the page's stream is on, as its badge shows it ("live via node gateway-2"). */
async function nodeOf(page: Page): Promise<string> {
  return (await page.getAttribute('[data-testid="connection-state"]', 'title'))?.split(' via node ')[1] ?? '';
}
const sequenceOf = (id: string): number => decodeCursor(id)?.positions[0] ?? -1;

describe('the chat through nginx on two gateways, in Chromium', () => {
  let cluster: Cluster;
  let browser: Browser;
  const room = `cluster-${Date.now().toString(36)}`;
  const topic = `rooms/${room}`;

  beforeAll(async () => {
    // PRESENCE_TTL_S 3: gateways report themselves to the admin API every second, and a dead one drops out in 3 s.
    const env = { LOG_LEVEL: 'warn', ADMIN_TOKEN, PRESENCE_TTL_S: '3', RETRY_MS: '2000' };
    const keep = process.env.KEEP_CLUSTER === '1';
    [cluster, browser] = await Promise.all([startCluster({ broker: 'redis', gateways: 2, keep, env }), launchChromium()]);
  });

  afterAll(async () => {
    await browser?.close();
    await cluster?.stop();
  });

  /** Opens the chat through nginx in its own browser profile (separate profiles never share a stream). */
  async function openChat(nickname: string): Promise<{ page: Page; context: BrowserContext }> {
    const context = await browser.newContext();
    await context.addInitScript((name) => localStorage.setItem('ssehub.nickname', name), nickname);
    await context.addInitScript(recordConnectionStates);
    const page = await context.newPage();
    await page.goto(`${cluster.url}/#room=${room}`);
    await waitForConnectionState(page, 'live');
    return { page, context };
  }

  /** Opens bob until nginx placed his stream on another gateway than ada's. */
  async function openOnAnotherGateway(nickname: string, taken: string): Promise<Page> {
    for (let attempt = 1; attempt <= PLACEMENT_ATTEMPTS; attempt += 1) {
      const { page, context } = await openChat(nickname);
      if ((await nodeOf(page)) !== taken) return page;
      await context.close();
      // nginx round-robins each request to the gateways, and a page load sends them some number of
      // requests (stream, presence, our admin look-up): one extra request after one attempt, two after
      // the next, and so on, so that whatever that number is, the rotation's phase alternates.
      for (let extra = 0; extra < attempt; extra += 1) await fetch(`${cluster.url}/v1/presence/${room}`);
    }
    throw new Error(`${PLACEMENT_ATTEMPTS} streams of ${nickname} all landed on ${taken}`);
  }

  /** `GET /v1/admin/nodes` through nginx: the gateways' own view of who holds the room's streams. */
  async function roomStreamsByNode(): Promise<Record<string, number>> {
    const response = await fetch(`${cluster.url}/v1/admin/nodes`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(response.status).toBe(200);
    // nginx's $request_id (32 hex digits) reached the gateway, which echoes it.
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f]{32}$/);
    const { nodes } = AdminNodesResponseSchema.parse(await response.json());
    const streams = (node: AdminNode): number => node.topics.find((load) => load.topic === topic)?.connections ?? 0;
    return Object.fromEntries(nodes.map((node) => [node.node, streams(node)]).filter(([, count]) => count !== 0));
  }

  it('survives kill -9 of one page\'s gateway: reconnecting, then resumed on the other, with no message missing on either page', async () => {
    const ada = (await openChat('ada')).page;
    const adaNode = await nodeOf(ada);
    const bob = await openOnAnotherGateway('bob', adaNode);
    const bobNode = await nodeOf(bob);
    await until(async () => {
      const byNode = await roomStreamsByNode();
      return byNode[adaNode] === 1 && byNode[bobNode] === 1;
    }, 'one stream of the room on each gateway');

    const sent: string[] = [];
    const say = async (page: Page, text: string): Promise<void> => {
      await sendMessage(page, text);
      sent.push(text);
    };
    for (let n = 1; n <= 3; n += 1) {
      await say(ada, `ada #${n}`);
      await say(bob, `bob #${n}`);
    }
    await Promise.all([ada, bob].map((page) => waitForMessageCount(page, sent.length)));

    const victim = cluster.gateways.find((gateway) => gateway.nodeId === adaNode)!;
    const killedAt = performance.now();
    await victim.kill();
    await waitForConnectionState(ada, 'reconnecting');
    // Published while ada has no stream: only her resume can bring these.
    const bobMeanwhile = async (): Promise<void> => {
      await say(bob, 'bob while ada reconnects #1');
      await say(bob, 'bob while ada reconnects #2');
    };
    await Promise.all([bobMeanwhile(), say(ada, 'ada while reconnecting')]);
    expect(await ada.getAttribute('[data-testid="connection-state"]', 'data-state'), 'still reconnecting after the sends').toBe('reconnecting');
    await waitForConnectionState(ada, 'resumed', 20_000);
    const resumeMs = performance.now() - killedAt;
    expect(await nodeOf(ada)).toBe(bobNode);
    await say(ada, 'ada after the resume');
    await say(bob, 'bob after the resume');
    await Promise.all([ada, bob].map((page) => waitForMessageCount(page, sent.length)));

    const [adaSees, bobSees] = await Promise.all([readMessages(ada), readMessages(bob)]);
    const history = HistoryResponseSchema.parse(await (await fetch(`${cluster.url}/v1/topics/${topic}/history?limit=100`)).json());
    const stored = history.events.filter((event) => event.type === 'chat.message').map((event) => event.id);
    // Every acknowledged message, once, in log order, on both pages: the same ids the broker stored.
    expect(stored).toHaveLength(sent.length);
    expect(adaSees.map((message) => message.id)).toEqual(stored);
    expect(bobSees).toEqual(adaSees);
    expect(adaSees.map((message) => message.text).sort()).toEqual([...sent].sort());
    const sequences = stored.map(sequenceOf);
    expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
    expect(await statesOf(ada)).toEqual(['connecting', 'live', 'reconnecting', 'resumed']);
    expect(await statesOf(bob)).toEqual(['connecting', 'live']);
    // The cluster's view agrees: the dead node dropped out, both streams are on the survivor.
    await until(async () => {
      const byNode = await roomStreamsByNode();
      return byNode[bobNode] === 2 && byNode[adaNode] === undefined;
    }, 'both streams on the survivor');
    console.log(
      `chat through nginx: ada on ${adaNode}, bob on ${bobNode}; kill -9 ${adaNode}: ada reconnecting, then resumed on ${bobNode} ` +
        `${resumeMs.toFixed(0)} ms after the kill (RETRY_MS 2000 + jitter); ${sent.length} messages (3 sent while ada reconnected) ` +
        `on both pages with the broker's ids, none missing or repeated`,
    );
  }, 80_000);
});
