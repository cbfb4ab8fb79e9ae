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

/**
 * What a live feed needs from the logs it serves. Each log is a group of channels (its hash tag, or the
 * one log's key prefix): an interruption is recovered per log, so the logs a failed cluster node did
 * not serve keep flowing while the others recover.
 */
export interface RedisLiveHandlers {
  /** One message of a channel, in the order Redis executed the publishes to it. */
  onMessage(channel: string, message: string): void;
  /** The log a channel belongs to. */
  logOf(channel: string): string;
  /** Every log, for an interruption that hit them all (the one connection of a single server dropped). */
  logs(): readonly string[];
  /** Before resubscribing after an interruption: wait for the command connection and check the logs' epochs. */
  prepare(logs: readonly string[]): Promise<void>;
  /** After resubscribing: refill what the logs missed while the feed was down (marks each refill synchronously). */
  resync(logs: readonly string[]): Promise<void>;
}

/** The process's one live subscription to Redis, shared by every log: a channel per listened topic. */
export interface RedisLiveFeed {
  /** Subscribes to a channel; resolves once Redis acknowledged the subscription. */
  listen(channel: string): Promise<void>;
  unlisten(channel: string): Promise<void>;
  close(): void;
}

/**
 * Holds the messages of the logs whose feed was interrupted, and runs their recovery: retried until it
 * succeeds or a newer interruption of the same log takes over, then each log's resync starts before its
 * held messages go on, so none can jump the gap the resync refills. Other logs' messages pass meanwhile.
 */
export class LiveRecovery {
  /** Per interrupted log, the messages held until its resync started. */
  private readonly held = new Map<string, [string, string][]>();
  /** Per log, the recovery in charge of it (a newer interruption takes over). */
  private readonly owner = new Map<string, number>();
  private generation = 0;
  private closed = false;

  constructor(private readonly handlers: RedisLiveHandlers) {}

  /** A message from Redis: handed on, or held while its log recovers. */
  message(channel: string, message: string): void {
    const held = this.held.get(this.handlers.logOf(channel));
    if (held) held.push([channel, message]);
    else this.handlers.onMessage(channel, message);
  }

  /** The feed of these logs was interrupted: hold their live messages until their resync started. */
  interrupted(logs: readonly string[]): void {
    if (this.closed) return;
    for (const log of logs) if (!this.held.has(log)) this.held.set(log, []);
  }

  /**
   * Recovers logs: `resubscribe` restores their listened channels once the command side answers again;
   * `refresh`, when given, runs first in every attempt (a cluster re-reads who owns which slot).
   */
  async recover(
    logs: readonly string[],
    resubscribe: (logs: readonly string[]) => Promise<void>,
    refresh?: () => Promise<void>,
  ): Promise<void> {
    this.interrupted(logs);
    const generation = ++this.generation;
    for (const log of logs) this.owner.set(log, generation);
    const mine = (): string[] => logs.filter((log) => this.owner.get(log) === generation);
    for (let attempt = 1; !this.closed && mine().length > 0; attempt++) {
      try {
        await refresh?.();
        await this.handlers.prepare(mine());
        await resubscribe(mine());
        const recovered = mine();
        // resync() marks each log as refilling synchronously, so the held messages queue behind the refill.
        const resynced = this.handlers.resync(recovered);
        for (const log of recovered) {
          const held = this.held.get(log) ?? [];
          this.held.delete(log);
          this.owner.delete(log);
          for (const [channel, message] of held) this.handlers.onMessage(channel, message);
        }
        await resynced;
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, retryDelay(attempt)));
      }
    }
  }

  close(): void {
    this.closed = true;
    this.owner.clear();
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
    private readonly handlers: RedisLiveHandlers,
  ) {
    this.recovery = new LiveRecovery(handlers);
    subscriber.on('message', (channel: string, message: string) => this.recovery.message(channel, message));
    // One connection carries every log's channels: a drop interrupts them all.
    subscriber.on('close', () => this.recovery.interrupted(handlers.logs()));
    subscriber.on('ready', () => void this.recovery.recover(handlers.logs(), () => this.resubscribe()));
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
