// CORS in a real browser: a blank page served by the test on its own port calls the API of the
// standalone, so Chromium sends real preflights and enforces the answers. The page is reachable as
// 127.0.0.1 (on the allowlist) and as localhost (not on it). The chat itself, same-origin, keeps working.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, readMessages, sendMessage, waitForConnectionState, waitForMessageCount, waitForPresence } from './support/browser.js';
import { E2E_JWT_SECRET, signJwt } from './support/jwt.js';
import { startStandalone, type StandaloneProcess } from './support/standalone.js';

const carol = signJwt('carol', { ssehub: { subscribe: ['users/{sub}/**'], publish: ['users/{sub}/**'] } });

describe('CORS allowlist with a real browser', () => {
  let server: StandaloneProcess;
  let pages: Server;
  let browser: Browser;
  let allowedOrigin = '';
  let otherOrigin = '';
  let api = '';

  async function pageAt(url: string): Promise<Page> {
    const page = await browser.newPage();
    await page.goto(url);
    return page;
  }

  beforeAll(async () => {
    pages = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><title>another site</title>');
    });
    await new Promise<void>((resolve) => pages.listen(0, resolve));
    const pagePort = (pages.address() as AddressInfo).port;
    allowedOrigin = `http://127.0.0.1:${pagePort}`;
    otherOrigin = `http://localhost:${pagePort}`;
    server = await startStandalone({ JWT_SECRET: E2E_JWT_SECRET, CORS_ORIGINS: allowedOrigin });
    api = server.url;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    pages?.close();
  });

  it('lets an allowed origin publish JSON with a bearer token and stream it back with fetch', async () => {
    const page = await pageAt(allowedOrigin);
    const result = await page.evaluate(
      async ({ api, token }) => {
        const auth = { authorization: `Bearer ${token}` };
        const stream = await fetch(`${api}/v1/events?topic=users/carol/inbox`, { headers: { ...auth, accept: 'text/event-stream' } });
        const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
        let text = '';
        while (!text.includes('ssehub.ready')) text += (await reader.read()).value ?? '';
        const publish = await fetch(`${api}/v1/publish`, {
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/json' },
          body: JSON.stringify({ topic: 'users/carol/inbox', type: 'note.new', data: { n: 1 } }),
        });
        const ack = (await publish.json()) as { id: string };
        while (!text.includes(`id: ${ack.id}`)) text += (await reader.read()).value ?? '';
        await reader.cancel();
        return { status: publish.status, id: ack.id, streamType: stream.headers.get('content-type') };
      },
      { api, token: carol },
    );
    expect(result).toMatchObject({ status: 201, id: expect.any(String), streamType: 'text/event-stream; charset=utf-8' });
  });

  it('serves a credentialed EventSource from an allowed origin (origin echoed, never *)', async () => {
    const page = await pageAt(allowedOrigin);
    const ready = await page.evaluate(
      ({ api, token }) =>
        new Promise<string>((resolve, reject) => {
          const source = new EventSource(`${api}/v1/events?topic=users/carol/inbox&access_token=${token}`, { withCredentials: true });
          source.addEventListener('ssehub.ready', (event) => {
            source.close();
            resolve((event as MessageEvent<string>).data);
          });
          source.onerror = () => {
            source.close();
            reject(new Error('EventSource failed'));
          };
        }),
      { api, token: carol },
    );
    expect(JSON.parse(ready)).toMatchObject({ topics: ['users/carol/inbox'] });
  });

  it('blocks a page from an origin that is not on the list', async () => {
    const page = await pageAt(otherOrigin);
    const outcome = await page.evaluate(async (api) => {
      try {
        await fetch(`${api}/v1/publish`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: 'Bearer x' },
          body: JSON.stringify({ topic: 'rooms/cors', type: 'x', data: 1 }),
        });
        return 'answered';
      } catch (error) {
        return (error as Error).name;
      }
    }, api);
    expect(outcome).toBe('TypeError');
  });

  it('keeps the same-origin chat working with CORS_ORIGINS set', async () => {
    const page = await pageAt(`${api}/#room=cors-chat`);
    await page.fill('[data-testid="nickname"]', 'dora');
    await page.press('[data-testid="nickname"]', 'Enter');
    await waitForConnectionState(page, 'live');
    await sendMessage(page, 'hello through CORS');
    await waitForMessageCount(page, 1);
    expect((await readMessages(page)).map((m) => [m.author, m.text])).toEqual([['dora', 'hello through CORS']]);
    await waitForPresence(page, ['dora']);
  });
});
