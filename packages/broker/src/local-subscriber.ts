import type { StoredEvent, SubscriptionListener } from './broker.js';

/**
 * One subscription's seam between history and live: live events are held back while history is
 * replayed, then released, and anything at or below the last delivered position is dropped.
 */
export class LocalSubscriber {
  /** Live events that arrived during catch-up; `null` once live. */
  private held: StoredEvent[] | null = [];
  private closed = false;

  constructor(
    readonly topics: readonly string[],
    private readonly listener: SubscriptionListener,
    /** Position of the last event handed to the listener (or skipped as already seen). */
    public lastSeq = 0,
  ) {}

  /** A live event from the node's feed. */
  deliver(event: StoredEvent): void {
    if (this.closed) return;
    if (this.held) {
      this.held.push(event);
      return;
    }
    if (event.seq <= this.lastSeq) return;
    this.lastSeq = event.seq;
    this.listener.onEvent(event);
  }

  /** Events read from history during catch-up, oldest first. */
  replay(events: readonly StoredEvent[]): void {
    for (const event of events) {
      if (this.closed) return;
      if (event.seq <= this.lastSeq) continue;
      this.lastSeq = event.seq;
      this.listener.onEvent(event);
    }
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

  fail(error: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.listener.onError?.(error);
  }

  close(): void {
    this.closed = true;
    this.held = null;
  }
}
