// The admin page: nodes, topics and recent events from the gateways' admin API. Browser only.
import '../zod-jitless.js';
import { SsehubError, isValidTopic } from '@ssehub/protocol';
import { byTestId } from '../dom.js';
import { createAdminClient } from './admin-client.js';
import { renderNodes, renderRecent, renderTopics } from './admin-tables.js';
import { topicsAcrossNodes } from './topic-load.js';

/** How often the page asks again. @default 2000 */
const REFRESH_MS = 2000;
// Session storage: the token is gone with the tab, never shared with other pages of the origin for long.
const TOKEN_KEY = 'ssehub.adminToken';

const ui = {
  token: byTestId('admin-token', HTMLInputElement),
  state: byTestId('admin-state', HTMLElement),
  error: byTestId('admin-error', HTMLElement),
  nodes: byTestId('nodes', HTMLElement),
  nodeCount: byTestId('node-count', HTMLElement),
  topics: byTestId('topics', HTMLElement),
  topicCount: byTestId('topic-count', HTMLElement),
  recent: byTestId('recent', HTMLOListElement),
  recentTopic: byTestId('recent-topic', HTMLElement),
  recentInput: byTestId('recent-input', HTMLInputElement),
};
let token = sessionStorage.getItem(TOKEN_KEY) ?? '';
let topic = '';
let timer: ReturnType<typeof setTimeout> | undefined;
const client = createAdminClient(() => token);

function setState(state: 'connecting' | 'live' | 'reconnecting', text: string): void {
  ui.state.dataset.state = state;
  ui.state.textContent = text;
}

function showError(error: unknown): void {
  const wrongToken = error instanceof SsehubError && error.status === 401;
  ui.error.textContent = wrongToken ? 'The admin token was not accepted.' : error instanceof Error ? error.message : String(error);
  ui.error.hidden = false;
  setState('reconnecting', wrongToken ? 'signed out' : 'unavailable');
}

async function refresh(): Promise<void> {
  const nodes = await client.nodes();
  const now = Date.now();
  renderNodes(ui.nodes, nodes, now);
  ui.nodeCount.textContent = String(nodes.length);
  const topics = topicsAcrossNodes(nodes);
  renderTopics(ui.topics, topics, pick);
  ui.topicCount.textContent = String(topics.length);
  if (topic !== '') renderRecent(ui.recent, (await client.recent(topic)).events);
  ui.error.hidden = true;
  setState('live', `updated ${new Date(now).toLocaleTimeString()}`);
}

/** Refreshes now and then every {@link REFRESH_MS}, until the token is refused. */
function poll(): void {
  clearTimeout(timer);
  refresh().then(
    () => (timer = setTimeout(poll, REFRESH_MS)),
    (error: unknown) => {
      showError(error);
      if (!(error instanceof SsehubError && error.status === 401)) timer = setTimeout(poll, REFRESH_MS);
    },
  );
}

function pick(next: string): void {
  topic = next;
  ui.recentTopic.textContent = next;
  ui.recentInput.value = next;
  poll();
}

ui.token.value = token;
ui.token.form?.addEventListener('submit', (event) => {
  event.preventDefault();
  token = ui.token.value.trim();
  sessionStorage.setItem(TOKEN_KEY, token);
  setState('connecting', 'loading');
  poll();
});
ui.recentInput.form?.addEventListener('submit', (event) => {
  event.preventDefault();
  const value = ui.recentInput.value.trim();
  if (isValidTopic(value)) pick(value);
  else showError(new Error(`"${value}" is not a topic`));
});
if (token !== '') poll();
