import type { Redis } from 'ioredis';
import type { LiveSignal, StoredEvent } from './broker.js';
import { parseStoredEvent } from './envelope-json.js';
import { retryDelay, toBrokerError } from './redis-connection.js';

/**
 * Marks a live-only signal on a topic's channel. Stored events are published as JSON objects by the
 * append script, so they start with `{`; a signal starts with this and is never in the log.
 */
const SIGNAL_MARK = 'signal:';

/** The pub/sub payload of a live-only signal. */
export function encodeSignal(signal: LiveSignal): string {
  return SIGNAL_MARK + JSON.stringify(signal);
}

/** A live message read back: a stored event, a signal, or undefined when it is not one of ours. */
export function decodeLiveMessage(message: string): { event: StoredEvent } | { signal: LiveSignal } | undefined {
  try {
    if (message.startsWith(SIGNAL_MARK)) return { signal: JSON.parse(message.slice(SIGNAL_MARK.length)) as LiveSignal };
    return { event: parseStoredEvent(message) };
  } catch {
    return undefined; // every message on these channels is written by the append script or encodeSignal
  }
}

/** What a live feed needs from the logs it serves, around a reconnection. */
export interface RedisLiveHandlers {
  /** One message of a channel, in the order Redis executed the publishes to it. */
  onMessage(channel: string, message: string): void;
  /** Before resubscribing after a reconnection: wait for the command connection and check every epoch. */
  prepare(): Promise<void>;
  /** After resubscribing: refill what was missed while the feed was down (marks the refill synchronously). */
  resync(): Promise<void>;
}

/** The process's one live subscription to Redis, shared by every log: a channel per listened topic. */
export interface RedisLiveFeed {
  /** Subscribes to a channel; resolves once Redis acknowledged the subscription. */
  listen(channel: string): Promise<void>;
  unlisten(channel: string): Promise<void>;
  close(): void;
}

/**
 * Holds the messages that arrive while a feed recovers, and runs the recovery: retried until it
 * succeeds or a newer interruption takes over, then the resync starts before the held messages go on,
 * so none can jump the gap it refills.
 */
export class LiveRecovery {
  /** Messages held while recovering from an interruption; `null` while the feed is intact. */
  private held: [string, string][] | null = null;
  private generation = 0;
  private closed = false;

  constructor(private readonly handlers: RedisLiveHandlers) {}

  /** A message from Redis: handed on, or held while the feed recovers. */
  message(channel: string, message: string): void {
    if (this.held) this.held.push([channel, message]);
    else this.handlers.onMessage(channel, message);
  }

  /** The feed was interrupted: hold live messages from now until the resync started. */
  interrupted(): void {
    if (!this.closed) this.held ??= [];
  }

  /** Recovers: `resubscribe` restores every listened channel once the command side answers again. */
  async recover(resubscribe: () => Promise<void>): Promise<void> {
    this.interrupted();
    const generation = ++this.generation;
    for (let attempt = 1; !this.closed && generation === this.generation; attempt++) {
      try {
        await this.handlers.prepare();
        await resubscribe();
        if (generation !== this.generation) return;
        // resync() marks the core as refilling synchronously, so the held messages queue behind the refill.
        const resynced = this.handlers.resync();
        const held = this.held ?? [];
        this.held = null;
        for (const [channel, message] of held) this.handlers.onMessage(channel, message);
        await resynced;
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, retryDelay(attempt)));
      }
    }
  }

  close(): void {
    this.closed = true;
    this.generation++;
  }
}

/**
 * The live feed on one Redis server: one pub/sub connection, SUBSCRIBE per channel. After the
 * connection drops it resubscribes every listened channel, then asks for a resync.
 */
export class RedisPubSubFeed implements RedisLiveFeed {
  private readonly listened = new Set<string>();
  private readonly recovery: LiveRecovery;

  constructor(
    private readonly subscriber: Redis,
    handlers: RedisLiveHandlers,
  ) {
    this.recovery = new LiveRecovery(handlers);
    subscriber.on('message', (channel: string, message: string) => this.recovery.message(channel, message));
    subscriber.on('close', () => this.recovery.interrupted());
    subscriber.on('ready', () => void this.recovery.recover(() => this.resubscribe()));
  }

  async listen(channel: string): Promise<void> {
    this.listened.add(channel);
    try {
      await this.subscriber.subscribe(channel);
    } catch (error) {
      this.listened.delete(channel);
      throw toBrokerError(error);
    }
  }

  async unlisten(channel: string): Promise<void> {
    this.listened.delete(channel);
    await this.subscriber.unsubscribe(channel);
  }

  close(): void {
    this.recovery.close();
  }

  private async resubscribe(): Promise<void> {
    if (this.listened.size > 0) await this.subscriber.subscribe(...this.listened);
  }
}
