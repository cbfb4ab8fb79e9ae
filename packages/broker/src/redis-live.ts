import type { Redis } from 'ioredis';
import type { LiveSignal, StoredEvent } from './broker.js';
import { parseStoredEvent } from './envelope-json.js';
import { retryDelay, toBrokerError } from './redis-connection.js';
import type { RedisKeys } from './redis-keys.js';

/**
 * Marks a live-only signal on a topic's channel. Stored events are published as JSON objects by the
 * append script, so they start with `{`; a signal starts with this and is never in the log.
 */
const SIGNAL_MARK = 'signal:';

/** The pub/sub payload of a live-only signal. */
export function encodeSignal(signal: LiveSignal): string {
  return SIGNAL_MARK + JSON.stringify(signal);
}

/** What the live feed needs from the backend around a reconnection. */
export interface RedisLiveHandlers {
  /** One live event, in the order Redis executed the publishes. */
  onEvent(event: StoredEvent): void;
  /** One live-only signal (no position: it is handed on as it comes). */
  onSignal(signal: LiveSignal): void;
  /** Before resubscribing after a reconnection: wait for the command connection and check the epoch. */
  prepare(): Promise<void>;
  /** After resubscribing: refill what was missed while the feed was down. */
  resync(): Promise<void>;
}

/**
 * The node's one pub/sub connection: SUBSCRIBE per listened topic, messages handed on in order.
 * After the connection drops it resubscribes every listened topic, then asks for a resync; live
 * messages that arrive before the resync started are held so none can jump the gap.
 */
export class RedisLiveFeed {
  private readonly listened = new Set<string>();
  /** Messages held while recovering from a dropped connection; `null` while the feed is intact. */
  private held: string[] | null = null;
  private generation = 0;
  private closed = false;

  constructor(
    private readonly subscriber: Redis,
    private readonly keys: RedisKeys,
    private readonly handlers: RedisLiveHandlers,
  ) {
    subscriber.on('message', (_channel: string, message: string) => {
      if (this.held) this.held.push(message);
      else this.emit(message);
    });
    subscriber.on('close', () => {
      this.held ??= [];
    });
    subscriber.on('ready', () => void this.recover());
  }

  /** Subscribes to a topic; resolves once Redis acknowledged the subscription. */
  async listen(topic: string): Promise<void> {
    this.listened.add(topic);
    try {
      await this.subscriber.subscribe(this.keys.channel(topic));
    } catch (error) {
      this.listened.delete(topic);
      throw toBrokerError(error);
    }
  }

  async unlisten(topic: string): Promise<void> {
    this.listened.delete(topic);
    await this.subscriber.unsubscribe(this.keys.channel(topic));
  }

  close(): void {
    this.closed = true;
    this.generation++;
  }

  private emit(message: string): void {
    const signal = message.startsWith(SIGNAL_MARK);
    let parsed: LiveSignal | StoredEvent;
    try {
      parsed = signal ? (JSON.parse(message.slice(SIGNAL_MARK.length)) as LiveSignal) : parseStoredEvent(message);
    } catch {
      return; // not one of ours: every message on these channels is written by the append script or encodeSignal
    }
    if (signal) this.handlers.onSignal(parsed as LiveSignal);
    else this.handlers.onEvent(parsed as StoredEvent);
  }

  /** Runs after every reconnection; retries until it succeeds or a newer reconnection takes over. */
  private async recover(): Promise<void> {
    const generation = ++this.generation;
    for (let attempt = 1; !this.closed && generation === this.generation; attempt++) {
      try {
        await this.handlers.prepare();
        const channels = [...this.listened].map((topic) => this.keys.channel(topic));
        if (channels.length > 0) await this.subscriber.subscribe(...channels);
        if (generation !== this.generation) return;
        // resync() marks the core as refilling synchronously, so the held messages queue behind the refill.
        const resynced = this.handlers.resync();
        const held = this.held ?? [];
        this.held = null;
        for (const message of held) this.emit(message);
        await resynced;
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, retryDelay(attempt)));
      }
    }
  }
}
