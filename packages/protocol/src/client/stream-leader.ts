import type { ReadyPayload } from '../api.js';
import { isAfter, isBefore, oldestCursor } from './event-id-order.js';
import type { HubMessage, StreamHandlers, SubscriptionWant } from './hub-messages.js';
import { errorFields } from './http-error.js';
import type { Subscription } from './subscription.js';

/** Opens one SSE stream (the plain {@link subscribe} bound to a server). */
export type OpenStream = (topics: readonly string[], lastEventId: string | undefined, handlers: StreamHandlers) => Subscription;

/** Options of {@link StreamLeader}. */
export interface StreamLeaderOptions {
  /** This tab's id, the prefix of its stream names. */
  readonly tab: string;
  /** Sends a message to every tab, this one included. */
  readonly post: (message: HubMessage) => void;
  readonly openStream: OpenStream;
  /** Wait before the first stream, so the other tabs' subscriptions make it into it. */
  readonly firstDelayMs: number;
}

interface LeaderStream {
  readonly gen: string;
  readonly topics: ReadonlySet<string>;
  readonly connection: Subscription;
  /** The last `ssehub.ready`, repeated to subscriptions that join a live stream. */
  ready: ReadyPayload | undefined;
  /** True until the first ready of a stream that replaced a live one. */
  planned: boolean;
}

/** Wait after a change before acting on it, so a burst of changes costs one stream restart. @default 10 */
const RECONCILE_DELAY_MS = 10;

/**
 * The leader's half of a shared connection: ONE stream over the union of the topics every tab wants,
 * relayed to all tabs. It restarts the stream when the union changes or a subscription needs events
 * from before the stream's position, resuming from the oldest position anyone needs.
 */
export class StreamLeader {
  private readonly wants = new Map<string, readonly SubscriptionWant[]>();
  /** Subscriptions the current stream serves from a known position. */
  private served = new Set<string>();
  private stream: LeaderStream | undefined;
  /** Everything up to here was relayed for the current stream's topics. */
  private position: string | undefined;
  private streams = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;

  constructor(private readonly options: StreamLeaderOptions) {
    this.schedule(options.firstDelayMs);
  }

  /** Replaces what one tab wants. */
  setWants(tab: string, subs: readonly SubscriptionWant[]): void {
    this.wants.set(tab, subs);
    this.schedule(RECONCILE_DELAY_MS);
  }

  /** A tab went away. */
  dropTab(tab: string): void {
    for (const sub of this.wants.get(tab) ?? []) this.served.delete(sub.id);
    if (this.wants.delete(tab)) this.schedule(RECONCILE_DELAY_MS);
  }

  /** Closes the stream; tabs it served show `reconnecting` until the next leader's stream is live. */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    if (!this.stream) return;
    this.stream.connection.close();
    this.options.post({ kind: 'reconnecting', gen: this.stream.gen });
    this.stream = undefined;
  }

  private schedule(delayMs: number): void {
    if (this.closed || this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.closed) this.reconcile();
    }, delayMs);
  }

  private reconcile(): void {
    const all = [...this.wants.values()].flat();
    const union = new Set(all.flatMap((sub) => sub.topics));
    if (union.size === 0) {
      this.stream?.connection.close();
      this.stream = undefined;
      return;
    }
    const current = this.stream;
    if (!current) return this.start(union, all, false);
    const changed = union.size !== current.topics.size || [...union].some((topic) => !current.topics.has(topic));
    const newcomers = all.filter((sub) => !this.served.has(sub.id));
    const behind = newcomers.some((sub) => sub.cursor !== undefined && (this.position === undefined || isBefore(sub.cursor, this.position)));
    if (changed || behind) return this.start(union, all, current.ready !== undefined || current.planned);
    if (newcomers.length === 0) return;
    // The stream already covers them from where they are: hand them over without a restart.
    for (const sub of newcomers) this.served.add(sub.id);
    this.options.post({ kind: 'stream', gen: current.gen, topics: [...current.topics], from: this.position });
    if (current.ready) this.options.post({ kind: 'ready', gen: current.gen, payload: current.ready, planned: true });
  }

  /** (Re)starts the stream from the oldest position any subscription needs. */
  private start(topics: ReadonlySet<string>, all: readonly SubscriptionWant[], planned: boolean): void {
    this.stream?.connection.close();
    // Served subscriptions have read everything up to `position`; newcomers only up to their cursor.
    const needs = all.map((sub) => (this.served.has(sub.id) && this.position !== undefined ? this.position : sub.cursor));
    const from = oldestCursor([this.position, ...needs], this.position);
    const gen = `${this.options.tab}:${++this.streams}`;
    this.served = new Set(all.map((sub) => sub.id));
    this.position = from;
    this.options.post({ kind: 'stream', gen, topics: [...topics], from });
    const connection = this.options.openStream([...topics], from, this.relay(gen));
    this.stream = { gen, topics, connection, ready: undefined, planned };
  }

  /** Relays one stream to every tab; callbacks of a replaced stream are dropped. */
  private relay(gen: string): StreamHandlers {
    const post = this.options.post;
    const current = (): LeaderStream | undefined => (this.stream?.gen === gen ? this.stream : undefined);
    return {
      onEvent: (event) => {
        if (!current()) return;
        // A live-only signal has no id and leaves the position alone.
        if (event.id !== undefined && isAfter(event.id, this.position)) this.position = event.id;
        post({ kind: 'event', gen, event });
      },
      onReady: (payload) => {
        const stream = current();
        if (!stream) return;
        if (this.position === undefined || isBefore(this.position, payload.cursor)) this.position = payload.cursor;
        stream.ready = payload;
        post({ kind: 'ready', gen, payload, planned: stream.planned });
        stream.planned = false;
      },
      onReset: (payload) => {
        if (!current()) return;
        this.position = undefined;
        post({ kind: 'reset', gen, payload });
      },
      onStateChange: (state) => {
        const stream = current();
        if (!stream || state !== 'reconnecting') return;
        // Until it is live again, a newcomer must wait for the next ready rather than get the old one.
        stream.ready = undefined;
        post({ kind: 'reconnecting', gen });
      },
      onError: (error) => {
        if (current()) post({ kind: 'error', gen, ...errorFields(error) });
      },
    };
  }
}
