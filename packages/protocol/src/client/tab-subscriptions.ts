import { isAfter, isBefore, sameLog } from './event-id-order.js';
import type { HubMessage, StreamHandlers, SubscriptionWant } from './hub-messages.js';
import { errorFromFields } from './http-error.js';
import type { ConnectionState } from './subscription.js';

/** One subscription of this tab inside a shared connection. */
export interface TabSubscription {
  readonly id: string;
  readonly topics: ReadonlySet<string>;
  /** The newest id it has read up to (every event of its topics before it was delivered or skipped). */
  cursor: string | undefined;
  /** The stream that serves it; events of other streams are not its own. */
  gen: string | undefined;
  live: boolean;
  state: ConnectionState;
  readonly handlers: StreamHandlers;
}

function setState(sub: TabSubscription, state: ConnectionState): void {
  if (sub.state === state) return;
  sub.state = state;
  sub.handlers.onStateChange?.(state);
}

/**
 * This tab's subscriptions and how the leader's stream reaches them. Every event is checked against
 * each subscription's own cursor, so a stream restarted from an older position (to serve a newcomer,
 * or after the leader changed) never delivers anything twice or out of order.
 */
export class TabSubscriptions {
  private readonly subs = new Map<string, TabSubscription>();

  get size(): number {
    return this.subs.size;
  }

  add(id: string, topics: readonly string[], cursor: string | undefined, handlers: StreamHandlers): TabSubscription {
    const sub: TabSubscription = { id, topics: new Set(topics), cursor, gen: undefined, live: false, state: 'connecting', handlers };
    this.subs.set(id, sub);
    return sub;
  }

  remove(id: string): void {
    const sub = this.subs.get(id);
    if (!sub) return;
    this.subs.delete(id);
    setState(sub, 'closed');
  }

  /** What the leader needs to know about this tab. */
  wants(): SubscriptionWant[] {
    return [...this.subs.values()].map(({ id, topics, cursor }) => ({ id, topics: [...topics], cursor }));
  }

  /** Applies one message of the leader. */
  receive(message: HubMessage): void {
    switch (message.kind) {
      case 'stream':
        return this.attach(message.gen, new Set(message.topics), message.from);
      case 'event':
        for (const sub of this.served(message.gen)) {
          const { id } = message.event;
          // A live-only signal (no id) moves no cursor; every stored event of the stream does,
          // so a quiet topic never holds a resume back.
          if (id !== undefined) {
            if (!isAfter(id, sub.cursor)) continue;
            sub.cursor = id;
          }
          if (sub.topics.has(message.event.topic)) sub.handlers.onEvent(message.event);
        }
        return;
      case 'ready':
        for (const sub of this.served(message.gen)) {
          if (sub.cursor === undefined || isBefore(sub.cursor, message.payload.cursor)) sub.cursor = message.payload.cursor;
          if (sub.live && message.planned) continue;
          sub.live = true;
          setState(sub, 'live');
          sub.handlers.onReady?.(message.payload);
        }
        return;
      case 'reset':
        for (const sub of this.served(message.gen)) {
          if (sub.cursor === undefined) continue;
          sub.cursor = undefined;
          sub.handlers.onReset?.(message.payload);
        }
        return;
      case 'reconnecting':
        for (const sub of this.served(message.gen)) {
          sub.live = false;
          setState(sub, 'reconnecting');
        }
        return;
      case 'error':
        for (const sub of this.served(message.gen)) {
          sub.handlers.onError?.(errorFromFields(message));
          if (message.refused) setState(sub, 'closed');
        }
        return;
      default:
        return;
    }
  }

  private *served(gen: string): Iterable<TabSubscription> {
    for (const sub of this.subs.values()) if (sub.gen === gen) yield sub;
  }

  /** Subscriptions the stream covers follow it, unless they need events from before its start. */
  private attach(gen: string, topics: ReadonlySet<string>, from: string | undefined): void {
    for (const sub of this.subs.values()) {
      if (sub.gen === gen || ![...sub.topics].every((topic) => topics.has(topic))) continue;
      if (sub.cursor !== undefined && from !== undefined && !sameLog(sub.cursor, from)) {
        // Its cursor belongs to a log that no longer exists: the server would answer the same.
        const lastEventId = sub.cursor;
        sub.cursor = from;
        sub.handlers.onReset?.({ reason: 'epoch', lastEventId, topics: [...sub.topics] });
      } else if (sub.cursor === undefined) {
        sub.cursor = from;
      } else if (from === undefined || isBefore(sub.cursor, from)) {
        // The leader resumes older streams on its next round; until then this one would leave a gap.
        continue;
      }
      sub.gen = gen;
    }
  }
}
