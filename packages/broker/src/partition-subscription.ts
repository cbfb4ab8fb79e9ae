import { encodePartitionCursor, type ResetReason } from '@ssehub/protocol';
import type { BrokerSubscription, LiveSignal, LogSubscription, StoredEvent, SubscriptionListener } from './broker.js';
import { BrokerError } from './errors.js';
import { MAX_HELD_LIVE_EVENTS } from './local-subscriber.js';
import type { PartitionPositions } from './partition-position.js';

/** What the partitioned broker gives each subscription: how a partition's event is labelled for it. */
export interface PartitionLabels {
  readonly partitions: number;
  /** The positions of partition `index`. */
  positions(index: number): PartitionPositions;
  /**
   * The event as a subscription that follows only partition `index` sees it: its id is the token of
   * that one position. The same object for every such subscriber, so its frame is built once.
   */
  soleLabel(index: number, event: StoredEvent, position: number): StoredEvent;
}

/**
 * One stream over several partitions: one subscription per partition its topics map to, merged into
 * one listener. Every event's id is the whole token, the position reached in each of the stream's
 * partitions, so whatever event a client saw last, resuming from it misses nothing in any partition.
 * Order holds per partition; events of different partitions interleave as they come.
 */
export class PartitionedSubscription implements BrokerSubscription {
  resumed = false;
  cursor = '';
  /** Topics that resumed from the cursor without a gap; the others started live (or were reset). */
  resumedTopics: readonly string[] = [];
  private readonly positions = new Map<number, number>();
  /** Partitions of the stream whose position is not known yet (opening, or reset and reopening). */
  private readonly unknown = new Set<number>();
  /** Events that came while a position was unknown: an id then would leave that partition out. */
  private held: [number, StoredEvent][] = [];
  private readonly parts: LogSubscription[] = [];
  private closed = false;

  constructor(
    private readonly labels: PartitionLabels,
    private readonly listener: SubscriptionListener,
    /** Called once when it closes (by its caller, or when a partition failed). */
    private readonly onClose: () => void,
  ) {}

  /** A listener for partition `index`'s subscription, starting from `position` when the token had one. */
  partListener(index: number, topics: readonly string[], position: number | undefined): SubscriptionListener {
    if (position !== undefined) this.positions.set(index, position);
    else this.unknown.add(index);
    return {
      onEvent: (event) => this.deliver(index, event),
      onSignal: (signal: LiveSignal) => this.listener.onSignal?.(signal),
      onReset: (reason: ResetReason) => {
        // The token's position is not one of this log's: replaced once the partition is live again.
        this.positions.delete(index);
        this.unknown.add(index);
        this.listener.onReset?.(reason, topics);
      },
      onError: (error) => this.fail(error),
      backpressure: () => this.listener.backpressure?.(),
    };
  }

  /** Notes a partition's subscription once it is live: its position is where it went live. */
  added(index: number, part: LogSubscription): void {
    if (this.closed) return part.close();
    this.parts.push(part);
    // One log's cursor is `<epoch>-<seq>`.
    const seq = Number(part.cursor.slice(part.cursor.lastIndexOf('-') + 1));
    const position = this.labels.positions(index).positionOf(part.epoch, seq);
    // A live event may have come in meanwhile; a position never goes back.
    if (!(this.positions.get(index)! >= position)) this.positions.set(index, position);
    this.unknown.delete(index);
    if (this.unknown.size > 0 || this.held.length === 0) return;
    const held = this.held;
    this.held = [];
    for (const [partition, event] of held) this.deliver(partition, event);
  }

  /** The token of every partition's position now. */
  token(): string {
    return encodePartitionCursor({ partitions: this.labels.partitions, positions: this.positions });
  }

  close(): void {
    if (!this.closed) this.onClose();
    this.closed = true;
    this.held = [];
    for (const part of this.parts.splice(0)) part.close();
  }

  private deliver(index: number, event: StoredEvent): void {
    if (this.closed) return;
    if (this.unknown.size > 0) {
      if (this.held.length >= MAX_HELD_LIVE_EVENTS) {
        return this.fail(new BrokerError('slow_consumer', 'too many events arrived while the stream\'s partitions opened'));
      }
      this.held.push([index, event]);
      return;
    }
    const position = this.labels.positions(index).positionOfEvent(event.id, event.seq);
    this.positions.set(index, position);
    const labelled =
      this.positions.size === 1 ? this.labels.soleLabel(index, event, position) : { ...event, id: this.token() };
    this.listener.onEvent(labelled);
  }

  private fail(error: Error): void {
    if (this.closed) return;
    this.close();
    this.listener.onError?.(error);
  }
}
