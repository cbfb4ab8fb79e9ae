import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeCursor } from '@ssehub/protocol';
import { freePort, startProcess, waitForHttp, type RunningProcess } from '@ssehub/testkit';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  launchChromium,
  readMessages,
  sendMessage,
  waitForConnectionState,
  waitForMessageCount,
  waitForPresence,
  type RenderedMessage,
} from './support/browser.js';
import { startTcpProxy } from './support/tcp-proxy.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const STANDALONE_MAIN = join(REPO_ROOT, 'apps/standalone/dist/main.js');
const ARTIFACTS = join(REPO_ROOT, 'tests/e2e/artifacts');
/** Messages each of the two users sends. */
const MESSAGES_PER_USER = 5;

let server: RunningProcess | undefined;
let browser: Browser | undefined;
let base = '';
let port = 0;
const contexts: BrowserContext[] = [];

/** Opens the chat in a fresh browser profile (own localStorage) as `nickname`, and waits until it is live. */
async function openChat(room: string, nickname: string, origin = base): Promise<Page> {
  if (!browser) throw new Error('browser not started');
  const context = await browser.newContext({ viewport: { width: 960, height: 640 } });
  contexts.push(context);
  await context.addInitScript((name) => localStorage.setItem('ssehub.nickname', name), nickname);
  const page = await context.newPage();
  await page.goto(`${origin}/#room=${room}`);
  await waitForConnectionState(page, 'live');
  expect(await page.inputValue('[data-testid="nickname"]')).toBe(nickname);
  return page;
}

function sequenceOf(id: string): number {
  const cursor = decodeCursor(id);
  if (!cursor) throw new Error(`page shows a message with a malformed id ${id}`);
  return cursor.positions[0] ?? -1;
}

/** Every message once, nothing lost, ids strictly increasing, each author's messages in send order. */
function expectCompleteAndOrdered(messages: RenderedMessage[], authors: readonly string[]): void {
  const sequences = messages.map((message) => sequenceOf(message.id));
  for (let index = 1; index < sequences.length; index += 1) expect(sequences[index]).toBeGreaterThan(sequences[index - 1] ?? -1);
  for (const author of authors) {
    const texts = messages.filter((message) => message.author === author).map((message) => message.text);
    expect(texts).toEqual(Array.from({ length: MESSAGES_PER_USER }, (_, n) => `${author} says #${n + 1}`));
  }
}

/** Starts `node apps/standalone/dist/main.js` on {@link port} (memory broker) and waits for /readyz. */
async function startStandalone(): Promise<void> {
  const started = startProcess(process.execPath, [STANDALONE_MAIN], {
    cwd: REPO_ROOT,
    env: { ...process.env, PORT: String(port), LOG_LEVEL: 'warn' },
  });
  server = started;
  try {
    await waitForHttp(`${base}/readyz`, 30_000);
  } catch (error) {
    throw new Error(`standalone did not get ready:\n${started.output()}`, { cause: error });
  }
}

beforeAll(async () => {
  if (!existsSync(STANDALONE_MAIN)) {
    throw new Error(`${STANDALONE_MAIN} is missing: run "pnpm --filter @ssehub/standalone... build" first`);
  }
  browser = await launchChromium();
  port = await freePort();
  base = `http://127.0.0.1:${port}`;
  await startStandalone();
});

afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  await server?.stop();
});

describe('the chat page in headless Chromium against standalone', () => {
  const room = `e2e-${Date.now().toString(36)}`;
  let ada: Page;
  let bob: Page;
  let seenByAda: RenderedMessage[] = [];

  it('goes live and shows two users each other\'s messages, in the same order', async () => {
    [ada, bob] = await Promise.all([openChat(room, 'ada'), openChat(room, 'bob')]);
    // Both send at the same time, each waiting for its own ack, so the log interleaves them.
    await Promise.all(
      [ada, bob].map(async (page, user) => {
        const author = user === 0 ? 'ada' : 'bob';
        for (let n = 1; n <= MESSAGES_PER_USER; n += 1) await sendMessage(page, `${author} says #${n}`);
      }),
    );
    await Promise.all([ada, bob].map((page) => waitForMessageCount(page, 2 * MESSAGES_PER_USER)));
    seenByAda = await readMessages(ada);
    const seenByBob = await readMessages(bob);
    expect(seenByAda).toHaveLength(2 * MESSAGES_PER_USER);
    expect(seenByBob.map((message) => message.id)).toEqual(seenByAda.map((message) => message.id));
    expect(seenByBob).toEqual(seenByAda);
    expectCompleteAndOrdered(seenByAda, ['ada', 'bob']);
    expect(await ada.locator('[data-testid="message"].own').count()).toBe(MESSAGES_PER_USER);
  });

  it('lists who is online and follows joins and leaves', async () => {
    await Promise.all([ada, bob].map((page) => waitForPresence(page, ['ada', 'bob'])));
    const dave = await openChat(room, 'dave');
    await Promise.all([ada, bob, dave].map((page) => waitForPresence(page, ['ada', 'bob', 'dave'])));
    await dave.context().close();
    await Promise.all([ada, bob].map((page) => waitForPresence(page, ['ada', 'bob'])));
    mkdirSync(ARTIFACTS, { recursive: true });
    await ada.screenshot({ path: join(ARTIFACTS, 'chat.png') });
  });

  it('shows the room\'s history after a reload, then goes live again', async () => {
    await bob.reload();
    await waitForConnectionState(bob, 'live');
    await waitForMessageCount(bob, seenByAda.length);
    expect(await readMessages(bob)).toEqual(seenByAda);
    // A message after the reload arrives once, after the history, on both pages.
    await sendMessage(ada, 'after the reload');
    await Promise.all([ada, bob].map((page) => waitForMessageCount(page, seenByAda.length + 1)));
    const [afterAda, afterBob] = await Promise.all([readMessages(ada), readMessages(bob)]);
    expect(afterBob).toEqual(afterAda);
    expect(afterAda.slice(0, -1)).toEqual(seenByAda);
    expect(afterAda.at(-1)).toMatchObject({ author: 'ada', text: 'after the reload' });
  });

  it('renders message text as text, never as markup', async () => {
    const hostile = '<img src=x onerror="document.body.dataset.pwned=1"><b>bold?</b>';
    const before = (await readMessages(bob)).length;
    await sendMessage(ada, hostile);
    await waitForMessageCount(bob, before + 1);
    const last = bob.locator('[data-testid="message"]').last();
    expect(await last.locator('.text').textContent()).toBe(hostile);
    expect(await last.locator('img, b').count()).toBe(0);
    expect(await bob.evaluate(() => document.body.dataset.pwned)).toBeUndefined();
  });

  it('shows the server\'s error inline when a message is refused', async () => {
    // The input's maxlength stops a person; a script can still send too much, and the server refuses it.
    await ada.evaluate(() => document.querySelector('[data-testid="message-input"]')?.removeAttribute('maxlength'));
    await ada.fill('[data-testid="message-input"]', 'x'.repeat(4001));
    await ada.click('[data-testid="send"]');
    const error = ada.locator('[data-testid="error"]');
    await error.waitFor({ state: 'visible', timeout: 10_000 });
    expect((await error.textContent())?.length).toBeGreaterThan(0);
    // A wire error code means the text came from the server's {error:{code,message}} body.
    expect(await error.getAttribute('data-code')).toMatch(/^[a-z_]+$/);
    expect(await ada.inputValue('[data-testid="message-input"]')).toHaveLength(4001);
  });

  it('resumes after a dropped connection and gets what was sent meanwhile, once', async () => {
    const proxy = await startTcpProxy(port);
    try {
      const flakyRoom = `${room}-flaky`;
      const carol = await openChat(flakyRoom, 'carol', `http://127.0.0.1:${proxy.port}`);
      await sendMessage(carol, 'carol says #1');
      await waitForMessageCount(carol, 1);
      proxy.cut();
      await waitForConnectionState(carol, 'reconnecting');
      // Sent straight to the server while carol's network is down: only the resume can bring it.
      const response = await fetch(`${base}/v1/rooms/${flakyRoom}/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: 'zed says #1', author: 'zed' }),
      });
      expect(response.status).toBe(201);
      proxy.resume();
      await waitForConnectionState(carol, 'resumed');
      await waitForMessageCount(carol, 2);
      await sendMessage(carol, 'carol says #2');
      await waitForMessageCount(carol, 3);
      const seen = await readMessages(carol);
      expect(seen.map((message) => message.text)).toEqual(['carol says #1', 'zed says #1', 'carol says #2']);
      expect(new Set(seen.map((message) => message.id)).size).toBe(3);
      const sequences = seen.map((message) => sequenceOf(message.id));
      expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
    } finally {
      await proxy.close();
    }
  });

  it('shows reconnecting while the server is away, then refetches history after a reset', async () => {
    await server?.stop();
    await Promise.all([ada, bob].map((page) => waitForConnectionState(page, 'reconnecting')));
    // A new memory broker is a new log (new epoch): the pages' cursors are void, so the server
    // answers with ssehub.reset and the pages must drop what they show and reload history.
    await startStandalone();
    await Promise.all([ada, bob].map((page) => waitForConnectionState(page, 'live', 30_000)));
    await Promise.all(
      [ada, bob].map((page) => page.waitForFunction(() => document.querySelectorAll('[data-testid="message"]').length === 0)),
    );
    await sendMessage(bob, 'back again');
    await Promise.all([ada, bob].map((page) => waitForMessageCount(page, 1)));
    const [afterAda, afterBob] = await Promise.all([readMessages(ada), readMessages(bob)]);
    expect(afterAda).toEqual(afterBob);
    expect(afterAda).toEqual([expect.objectContaining({ author: 'bob', text: 'back again' })]);
  });

  it('remembers a new nickname and shows it in presence and on new messages', async () => {
    await ada.fill('[data-testid="nickname"]', 'ada-lovelace');
    await ada.press('[data-testid="nickname"]', 'Tab');
    await Promise.all([ada, bob].map((page) => waitForPresence(page, ['ada-lovelace', 'bob'])));
    await waitForConnectionState(ada, 'live');
    await sendMessage(ada, 'new name');
    await waitForMessageCount(bob, 2);
    expect((await readMessages(bob)).at(-1)).toMatchObject({ author: 'ada-lovelace', text: 'new name' });
    expect(await ada.evaluate(() => localStorage.getItem('ssehub.nickname'))).toBe('ada-lovelace');
  });
});
