import type { EventEnvelope } from '@ssehub/protocol';
import { ChatMessageSchema } from '@ssehub/protocol/chat';
import { createElement } from './dom.js';
import { createOrderedIds, eventKey } from './event-order.js';

/** The rendered messages of one room: de-duplicated by event id and kept in id order. */
export interface MessageList {
  /** Shows a `chat.message` event; other events and repeats are ignored. */
  add(event: EventEnvelope): void;
  clear(): void;
}

/** Options of {@link createMessageList}. */
export interface MessageListOptions {
  /** The `<ol data-testid="messages">`; it is also the scrolling box. */
  list: HTMLOListElement;
  /** The current nickname, to mark one's own messages. */
  nickname(): string;
}

/** How close to the bottom (px) counts as "reading the newest", so new messages scroll into view. */
const STICK_TO_BOTTOM_PX = 80;

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

function renderMessage(event: EventEnvelope, author: string, text: string, own: boolean): HTMLLIElement {
  const item = createElement('li', own ? 'message own' : 'message');
  item.dataset.testid = 'message';
  item.dataset.id = event.id;
  const meta = createElement('div', 'meta');
  meta.append(createElement('span', 'author', author));
  const time = createElement('time', 'time', timeFormat.format(event.ts));
  time.dateTime = new Date(event.ts).toISOString();
  meta.append(time);
  item.append(meta, createElement('p', 'text', text));
  return item;
}

/** Creates the message list over an existing `<ol>`. */
export function createMessageList(options: MessageListOptions): MessageList {
  const { list } = options;
  const ids = createOrderedIds();
  return {
    add(event) {
      if (event.type !== 'chat.message') return;
      const message = ChatMessageSchema.safeParse(event.data);
      // A chat message is always stored; only stored events have the id the list is ordered by.
      if (!message.success || event.id === undefined) return;
      const index = ids.insert(eventKey(event.id, event.topic));
      if (index < 0) return;
      const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < STICK_TO_BOTTOM_PX;
      const own = message.data.author === options.nickname();
      list.insertBefore(renderMessage(event, message.data.author, message.data.text, own), list.children[index] ?? null);
      if (atBottom) list.scrollTop = list.scrollHeight;
    },
    clear() {
      ids.clear();
      list.replaceChildren();
    },
  };
}
