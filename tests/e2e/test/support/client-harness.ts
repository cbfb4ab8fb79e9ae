import { readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { createRequire } from 'node:module';
import type { BrowserContext } from 'playwright-core';
import { REPO_ROOT } from './standalone.js';

/** Where the harness page lives on the server's origin (answered by the browser context, not the server). */
export const HARNESS_PATH = '/__client-harness/index.html';

const PROTOCOL_DIST = join(REPO_ROOT, 'packages/protocol/dist');
const ZOD_DIR = dirname(createRequire(join(PROTOCOL_DIST, 'index.js')).resolve('zod/package.json'));

// The page: the built @ssehub/protocol/client (and zod) loaded through an import map, one shared-connection
// subscription per tab, and every delivery recorded as it came, duplicates included.
const HTML = `<!doctype html><meta charset="utf-8"><title>client harness</title>
<script type="importmap">{"imports":{"@ssehub/protocol":"/__client-harness/protocol/index.js",
"@ssehub/protocol/client":"/__client-harness/protocol/client.js",
"zod":"/__client-harness/zod/index.js","zod/":"/__client-harness/zod/"}}</script>
<script type="module" src="/__client-harness/harness.js"></script>`;

const SCRIPT = `
import { createSsehubClient } from '@ssehub/protocol/client';
const topics = new URLSearchParams(location.search).getAll('topic');
const harness = { received: [], readies: [], states: [], errors: [], clientId: undefined };
window.harness = harness;
const client = createSsehubClient({ baseUrl: '' });
harness.subscription = client.subscribe(topics, {
  onEvent: (event) => harness.received.push({ id: event.id, topic: event.topic, n: event.data.n }),
  onReady: (payload) => harness.readies.push(payload),
  onStateChange: (state) => harness.states.push(state),
  onError: (error) => harness.errors.push(String(error)),
});
// Web Locks name the client holding a lock; holding a lock of its own tells a page its client id.
const mine = 'whoami-' + crypto.randomUUID();
navigator.locks.request(mine, async () => {
  const { held } = await navigator.locks.query();
  harness.clientId = held.find((lock) => lock.name === mine)?.clientId;
  await new Promise(() => {});
});
harness.isLeader = async () => {
  const { held } = await navigator.locks.query();
  return held.some((lock) => lock.name.startsWith('ssehub ') && lock.clientId === harness.clientId);
};
`;

function inside(root: string, path: string): string | undefined {
  const file = resolve(root, path);
  const rel = relative(root, file);
  return rel === '' || rel.startsWith('..') ? undefined : file;
}

/** Answers the harness page and its modules for every page of `context` on `origin`. */
export async function serveClientHarness(context: BrowserContext, origin: string): Promise<void> {
  await context.route(`${origin}/__client-harness/**`, async (route) => {
    const path = new URL(route.request().url()).pathname.slice('/__client-harness/'.length);
    const js = 'text/javascript; charset=utf-8';
    if (path === 'index.html') return route.fulfill({ contentType: 'text/html; charset=utf-8', body: HTML });
    if (path === 'harness.js') return route.fulfill({ contentType: js, body: SCRIPT });
    const [root, rest] = path.startsWith('protocol/') ? [PROTOCOL_DIST, path.slice(9)] : [ZOD_DIR, path.slice(4)];
    const file = path.startsWith('protocol/') || path.startsWith('zod/') ? inside(root, rest) : undefined;
    if (!file) return route.fulfill({ status: 404, body: 'not found' });
    return route.fulfill({ contentType: js, body: await readFile(file) });
  });
}

/** What a harness page recorded. */
export interface HarnessRecord {
  received: { id: string; topic: string; n: number }[];
  readies: unknown[];
  states: string[];
  errors: string[];
}
