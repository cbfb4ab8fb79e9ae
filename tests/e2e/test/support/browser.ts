import { requireBinary } from '@ssehub/testkit';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Flags for headless Chromium on a shared CI box: no sandbox (root in a container), no background traffic. */
export const CHROMIUM_ARGS = Object.freeze([
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]);

/** Launches Debian's Chromium headless, or throws saying how to install it. */
export function launchChromium(): Promise<Browser> {
  const executablePath = requireBinary('chromium', 'chromium');
  return chromium.launch({ executablePath, headless: true, args: [...CHROMIUM_ARGS] });
}

/** One rendered chat message, as a test reads it back from the page. */
export interface RenderedMessage {
  id: string;
  author: string;
  text: string;
}

/** The messages a chat page shows, top to bottom. */
export function readMessages(page: Page): Promise<RenderedMessage[]> {
  return page.$$eval('[data-testid="message"]', (items) =>
    items.map((item) => ({
      id: (item as HTMLElement).dataset.id ?? '',
      author: item.querySelector('.author')?.textContent ?? '',
      text: item.querySelector('.text')?.textContent ?? '',
    })),
  );
}

/** Waits until the page shows at least `count` messages. */
export async function waitForMessageCount(page: Page, count: number, timeoutMs = 15_000): Promise<void> {
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="message"]').length >= n, count, {
    timeout: timeoutMs,
  });
}

/** Waits until the page's connection state reads `state`. */
export async function waitForConnectionState(page: Page, state: string, timeoutMs = 15_000): Promise<void> {
  await page.waitForSelector(`[data-testid="connection-state"][data-state="${state}"]`, { timeout: timeoutMs });
}

/** Types a message and sends it; resolves once the server acknowledged it (the input is cleared). */
export async function sendMessage(page: Page, text: string): Promise<void> {
  await page.fill('[data-testid="message-input"]', text);
  await page.click('[data-testid="send"]');
  // Either the ack cleared the input, or the page shows the server's error: fail with that error.
  const outcome = await page.waitForFunction(
    () => {
      const input = document.querySelector<HTMLInputElement>('[data-testid="message-input"]');
      const error = document.querySelector<HTMLElement>('[data-testid="error"]');
      if (error && !error.hidden) return `error: ${error.textContent ?? ''}`;
      return input?.value === '' ? 'sent' : false;
    },
    undefined,
    { timeout: 10_000 },
  );
  const result = await outcome.jsonValue();
  if (result !== 'sent') throw new Error(`sending "${text}" failed: ${String(result)}`);
}

/** Waits until the page's "who is online" list shows exactly `users` (in any order). */
export async function waitForPresence(page: Page, users: readonly string[], timeoutMs = 15_000): Promise<void> {
  const expected = [...users].sort();
  await page
    .waitForFunction(
      (want) => {
        const box = document.querySelector<HTMLElement>('[data-testid="presence"]');
        if (!box || box.hidden) return false;
        const shown = Array.from(box.querySelectorAll('li'), (item) => item.textContent ?? '').sort();
        return JSON.stringify(shown) === JSON.stringify(want);
      },
      expected,
      { timeout: timeoutMs },
    )
    .catch(async (error: unknown) => {
      const shown = await page.locator('[data-testid="presence"] li').allTextContents();
      throw new Error(`presence shows [${shown.join(', ')}], expected [${expected.join(', ')}]`, { cause: error });
    });
}
