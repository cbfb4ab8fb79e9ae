import type { BrokerSubscription, LiveSignal, StoredEvent, SubscriptionListener } from './broker.js';
import { BrokerError } from './errors.js';

/** Live events one subscription may hold while it catches up; one more ends it as a slow consumer. @default 10000 */
export const MAX_HELD_LIVE_EVENTS = 10_000;

/**
 * One subscription's seam between history and live: live events are held back while history is
 * replayed, then released, and anything at or below the last delivered position is dropped.
 * It is also the {@link BrokerSubscription} handed to the caller, so an open subscription costs one
 * object and no closures.
 */
export class LocalSubscriber implements BrokerSubscription {
  resumed = false;
  cursor = '';
  /** The epoch of the log it follows, set once it is live. */
  epoch = '';
  /** Live events that arrived during catch-up; `null` once live. */
  private held: StoredEvent[] | null = [];
  private closed = false;
  private released = false;

  constructor(
    readonly topics: readonly string[],
    private readonly listener: SubscriptionListener,
    /** Takes the subscriber off its topics; shared by every subscriber of a broker. */
    private readonly release: (subscriber: LocalSubscriber) => void,
    /** Position of the last event handed to the listener (or skipped as already seen). */
    public lastSeq = 0,
  ) {}

  /** A live event from the node's feed. */
  deliver(event: StoredEvent): void {
    if (this.closed) return;
    if (this.held) {
      // A client that holds its catch-up back must not make the node keep every live event meanwhile:
      // it is cut off and resumes from its last id, like any slow consumer.
      if (this.held.length >= MAX_HELD_LIVE_EVENTS) {
        this.held = [];
        return this.fail(new BrokerError('slow_consumer', 'too many live events arrived while the subscription caught up'));
      }
      this.held.push(event);
      return;
    }
    if (event.seq <= this.lastSeq) return;
    this.lastSeq = event.seq;
    this.listener.onEvent(event);
  }

  /**
   * A live-only signal: no seq, so nothing to de-duplicate. One that comes during catch-up is dropped,
   * not held: it would land before the replayed history it follows, and a client re-reads the state
   * signals describe (`GET /v1/presence/{topic}`) once the subscription is live.
   */
  signal(signal: LiveSignal): void {
    if (this.closed || this.held) return;
    this.listener.onSignal?.(signal);
  }

  get resumedTopics(): readonly string[] {
    return this.resumed ? this.topics : [];
  }

  /** True once failed or closed: catch-up stops reading. */
  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Events read from history during catch-up, oldest first. Stops after the event that filled the
   * listener and answers its promise of room: the caller reads on from `lastSeq` once it settles.
   */
  replay(events: readonly StoredEvent[]): Promise<void> | undefined {
    for (const event of events) {
      if (this.closed) return undefined;
      if (event.seq <= this.lastSeq) continue;
      this.lastSeq = event.seq;
      this.listener.onEvent(event);
      const full = this.listener.backpressure?.();
      if (full !== undefined) return full;
    }
    return undefined;
  }

  reset(reason: 'retention' | 'epoch'): void {
    this.listener.onReset?.(reason);
  }

  /** Ends catch-up: releases the held live events past the seam. */
  goLive(): void {
    const held = this.held ?? [];
    this.held = null;
    for (const event of held) this.deliver(event);
  }

  /** The log can no longer be followed: no more events, the listener hears why. */
  fail(error: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.listener.onError?.(error);
  }

  /** Ends the subscription (the caller's `close`); idempotent. */
  close(): void {
    this.closed = true;
    this.held = null;
    if (this.released) return;
    this.released = true;
    this.release(this);
  }
}
