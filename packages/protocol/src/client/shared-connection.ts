import type { HubMessage, StreamHandlers } from './hub-messages.js';
import { randomId } from './random-id.js';
import { StreamLeader, type OpenStream } from './stream-leader.js';
import type { Subscription } from './subscription.js';
import { TabSubscriptions } from './tab-subscriptions.js';
import { campaignForLeadership } from './tab-leader.js';

/** Options of {@link createSharedConnection}. */
export interface SharedConnectionOptions {
  /** Names the lock and the channel: tabs using the same name share one stream. */
  readonly name: string;
  readonly openStream: OpenStream;
  /** Share with the other tabs (Web Locks + BroadcastChannel); otherwise only within this tab. */
  readonly acrossTabs: boolean;
  /** The last subscription closed and the connection shut down. */
  readonly onIdle: () => void;
}

/** Subscriptions multiplexed over one SSE stream. */
export interface SharedConnection {
  subscribe(topics: readonly string[], lastEventId: string | undefined, handlers: StreamHandlers): Subscription;
}

/** Time an unused connection waits for a new subscription before it resigns (switching rooms). @default 1000 */
const IDLE_LINGER_MS = 1000;
/** Time a new leader waits for the other tabs' subscriptions before it connects. @default 50 */
const FIRST_STREAM_DELAY_MS = 50;

/**
 * One stream for many subscriptions: in this tab, and across the tabs of the origin where the
 * platform allows it. Every tab keeps its subscriptions; the tab holding the lock is the leader,
 * which holds the stream for the union of the topics and relays it on a BroadcastChannel.
 */
export function createSharedConnection(options: SharedConnectionOptions): SharedConnection {
  const tab = randomId();
  const subs = new TabSubscriptions();
  let leader: StreamLeader | undefined;
  let channel: BroadcastChannel | undefined;
  let resign: (() => void) | undefined;
  let idleTimer: ReturnType<typeof setTimeout> | undefined;
  let running = false;
  let count = 0;

  function announceWants(): void {
    if (leader) leader.setWants(tab, subs.wants());
    else channel?.postMessage({ kind: 'want', tab, subs: subs.wants() } satisfies HubMessage);
  }

  function receive(message: HubMessage): void {
    if (leader && message.kind === 'want') leader.setWants(message.tab, message.subs);
    else if (leader && message.kind === 'bye') leader.dropTab(message.tab);
    else if (message.kind === 'leader') announceWants();
    else subs.receive(message);
  }

  function lead(): void {
    leader = new StreamLeader({
      tab,
      openStream: options.openStream,
      firstDelayMs: options.acrossTabs ? FIRST_STREAM_DELAY_MS : 0,
      post: (message) => {
        channel?.postMessage(message);
        subs.receive(message);
      },
    });
    channel?.postMessage({ kind: 'leader', tab } satisfies HubMessage);
    leader.setWants(tab, subs.wants());
  }

  const sayBye = (): void => channel?.postMessage({ kind: 'bye', tab } satisfies HubMessage);

  function start(): void {
    running = true;
    if (!options.acrossTabs) return lead();
    channel = new BroadcastChannel(options.name);
    channel.onmessage = (event: MessageEvent<HubMessage>) => receive(event.data);
    resign = campaignForLeadership(options.name, lead);
    globalThis.addEventListener?.('pagehide', sayBye);
  }

  function stop(): void {
    running = false;
    leader?.close();
    leader = undefined;
    resign?.();
    sayBye();
    channel?.close();
    channel = undefined;
    globalThis.removeEventListener?.('pagehide', sayBye);
    options.onIdle();
  }

  return {
    subscribe(topics, lastEventId, handlers) {
      clearTimeout(idleTimer);
      if (!running) start();
      const sub = subs.add(`${tab}:${++count}`, topics, lastEventId, handlers);
      announceWants();
      let closed = false;
      return {
        get lastEventId() {
          return sub.cursor;
        },
        get state() {
          return sub.state;
        },
        close() {
          if (closed) return;
          closed = true;
          subs.remove(sub.id);
          announceWants();
          if (subs.size > 0) return;
          idleTimer = setTimeout(stop, IDLE_LINGER_MS);
          // Node: an idle connection must not keep the process alive.
          (idleTimer as { unref?: () => void }).unref?.();
        },
      };
    },
  };
}
