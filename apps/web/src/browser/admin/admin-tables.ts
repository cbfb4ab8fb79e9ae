import type { AdminNode, EventEnvelope } from '@ssehub/protocol';
import { createElement } from '../dom.js';
import { formatAgo, formatLag, type TopicLoad } from './topic-load.js';

/** Broker lag from which a node's lag shows in red. @default 1 */
const HIGH_LAG_S = 1;
const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });

function cell(text: string, className = ''): HTMLTableCellElement {
  return createElement('td', className, text);
}

/** One row per node: streams, topics, workers, broker lag, uptime, last report. */
export function renderNodes(body: HTMLElement, nodes: readonly AdminNode[], now: number): void {
  const rows = nodes.map((node) => {
    const row = createElement('tr', '');
    row.dataset.testid = 'node-row';
    row.dataset.node = node.node;
    const lag = cell(formatLag(node.brokerLagSeconds), 'num');
    if ((node.brokerLagSeconds ?? 0) >= HIGH_LAG_S) lag.classList.add('lag-high');
    row.append(
      cell(node.node, 'node'),
      cell(String(node.connections), 'num connections'),
      cell(String(node.topicCount), 'num'),
      cell(String(node.workers), 'num'),
      lag,
      cell(timeFormat.format(node.startedAt), 'when'),
      cell(formatAgo(node.updatedAt, now), 'when'),
    );
    return row;
  });
  body.replaceChildren(...rows);
}

/** One row per topic; its name is a button that shows the topic's recent events. */
export function renderTopics(body: HTMLElement, topics: readonly TopicLoad[], pick: (topic: string) => void): void {
  const rows = topics.map((load) => {
    const row = createElement('tr', '');
    row.dataset.testid = 'topic-row';
    const link = createElement('button', 'topic-link', load.topic);
    link.type = 'button';
    link.addEventListener('click', () => pick(load.topic));
    const name = createElement('td', '');
    name.append(link);
    row.append(name, cell(String(load.connections), 'num'), cell(load.nodes.join(', ')));
    return row;
  });
  body.replaceChildren(...rows);
}

/** The newest events first; data shown as JSON text, never as markup. */
export function renderRecent(list: HTMLElement, events: readonly EventEnvelope[]): void {
  const items = [...events].reverse().map((event) => {
    const item = createElement('li', 'event');
    item.dataset.testid = 'recent-event';
    item.dataset.id = event.id;
    const data = JSON.stringify(event.data);
    item.append(
      createElement('span', 'id', event.id),
      createElement('span', 'type', event.type),
      createElement('time', 'time', timeFormat.format(event.ts)),
      createElement('span', 'data', data.length > 600 ? `${data.slice(0, 600)}…` : data),
    );
    return item;
  });
  list.replaceChildren(...items);
}
