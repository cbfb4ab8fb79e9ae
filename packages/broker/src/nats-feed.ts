import { DeliverPolicy, type Consumer, type ConsumerMessages, type JetStreamClient, type JsMsg } from '@nats-io/jetstream';
import type { StreamNames } from './nats-stream.js';

/** Messages the live consumer asks for per pull. @default 1000 */
export const NATS_LIVE_PULL_BATCH = 1000;
/** Lifetime of one live pull, in ms; the server heartbeats every half of it. @default 5000 */
export const NATS_LIVE_PULL_EXPIRES_MS = 5000;
/** Silence (no message, no heartbeat) while connected after which the feed replaces its consumer itself, in ms. @default 10000 */
export const NATS_LIVE_STALL_MS = 10_000;
/**
 * Timeout of the live consumer's own requests (create, info), in ms. Short, because on nats-server
 * before 2.9.12 a create placed on a dead cluster node only ever times out, and another try may land
 * on a live one. @default 2000
 */
export const NATS_LIVE_REQUEST_TIMEOUT_MS = 2000;
/** Tries to create the live consumer before a listen fails. @default 5 */
export const NATS_LIVE_CREATE_ATTEMPTS = 5;
/** Wait between attempts to check the stream or replace the consumer, in ms. @default 1000 */
const RETRY_WAIT_MS = 1000;

// What only a live consumer sends; "heartbeats_missed" and the client's own pull requests are not.
const SIGNS_OF_LIFE = new Set(['heartbeat', 'discard', 'debug', 'flow_control', 'ordered_consumer_recreated']);

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** How the live feed reports to the backend that owns it. */
export interface LiveFeedHandlers {
  /** One message of the stream, in stream order. */
  message(message: JsMsg): void;
  /**
   * Delivery was interrupted and resumed after the last seen seq. Messages wait until this resolves:
   * true releases them (same stream), false drops them (the stream was replaced). May reject to be retried.
   */
  resumed(): Promise<boolean>;
  /** The consumer's server side vanished (deleted, or its stream gone); the owner checks the stream. */
  lost(): void;
  /** Whether the connection is up; silence only counts while it is. */
  connected(): boolean;
}

/** The node's one ordered consumer over the whole stream. */
export interface LiveFeed {
  stop(): Promise<void>;
}

interface Attached {
  readonly consumer: Consumer;
  readonly messages: ConsumerMessages;
}

/**
 * Follows every subject of the stream from `startSeq` with one ordered consumer; `js` should time out
 * after {@link NATS_LIVE_REQUEST_TIMEOUT_MS}. The client library recreates the consumer after the last
 * seen seq when delivery breaks; when it falls silent while connected (its host node died), the feed
 * replaces it. Either way, what arrives next is held until the owner confirmed the stream is the same.
 */
export async function startLiveFeed(js: JetStreamClient, names: StreamNames, startSeq: number, handlers: LiveFeedHandlers): Promise<LiveFeed> {
  let stopped = false;
  let held: JsMsg[] | null = null;
  let resets = 0;
  let lastSeq = startSeq - 1;
  let generation = 0;
  let replacing = false;
  let lastSign = Date.now();

  async function attach(from: number): Promise<Attached> {
    const mine = ++generation;
    // One filter given as a string: nats-server 2.9 rejects filter arrays.
    const consumer = await js.consumers.get(names.stream, {
      filter_subjects: names.all,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: from,
    });
    const messages = await consumer.consume({
      max_messages: NATS_LIVE_PULL_BATCH,
      expires: NATS_LIVE_PULL_EXPIRES_MS,
      callback: (message) => {
        if (stopped || mine !== generation) return;
        // The feed follows every subject of the stream, so a jump in seq means retention removed
        // messages before they reached us: hold from here and let the owner refill or end subscribers.
        const skipped = message.seq > lastSeq + 1;
        lastSeq = message.seq;
        lastSign = Date.now();
        if (held) held.push(message);
        else if (skipped) {
          held = [message];
          void release(++resets);
        } else handlers.message(message);
      },
    });
    void watch(messages, mine);
    return { consumer, messages };
  }

  async function detach({ consumer, messages }: Attached): Promise<void> {
    await messages.close();
    await consumer.delete().catch(() => {
      // Gone with its node, the connection or the stream; the server drops it after its inactive threshold.
    });
  }

  async function watch(messages: ConsumerMessages, mine: number): Promise<void> {
    for await (const status of messages.status()) {
      if (stopped || mine !== generation) break;
      if (SIGNS_OF_LIFE.has(status.type)) lastSign = Date.now();
      if (status.type === 'reset') {
        resets++;
        held ??= [];
      } else if (status.type === 'ordered_consumer_recreated') {
        void release(resets);
      } else if (status.type === 'consumer_deleted' || status.type === 'stream_not_found') {
        handlers.lost();
      }
    }
  }

  async function release(reset: number): Promise<void> {
    while (!stopped && reset === resets) {
      try {
        const same = await handlers.resumed();
        // A newer reset happened meanwhile: its own release decides.
        if (stopped || reset !== resets) return;
        const pending = held ?? [];
        held = null;
        if (same) for (const message of pending) handlers.message(message);
        return;
      } catch {
        await sleep(RETRY_WAIT_MS);
      }
    }
  }

  async function attachRetrying(from: number): Promise<Attached> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await attach(from);
      } catch (error) {
        // A cluster may place the new consumer on a node that died (nats-server 2.9.10 picks any
        // peer of the stream); the create request times out and another try picks again.
        if (attempt >= NATS_LIVE_CREATE_ATTEMPTS) throw error;
      }
    }
  }

  /**
   * The consumer's node is gone: nats-server 2.9 keeps an R1 consumer there and the client keeps asking
   * it for info, silently. Start a new one after the last seen seq instead.
   */
  async function replace(): Promise<void> {
    if (replacing) return;
    replacing = true;
    resets++;
    held ??= [];
    void detach(current);
    while (!stopped) {
      try {
        const next = await attach(lastSeq + 1);
        if (stopped) void detach(next);
        else current = next;
        break;
      } catch {
        // Placed on a dead node again (see NATS_LIVE_REQUEST_TIMEOUT_MS): another try picks again.
        await sleep(RETRY_WAIT_MS);
      }
    }
    replacing = false;
    lastSign = Date.now();
    void release(resets);
  }

  let current = await attachRetrying(startSeq);
  const watchdog = setInterval(() => {
    if (!handlers.connected() || replacing) lastSign = Date.now();
    else if (Date.now() - lastSign > NATS_LIVE_STALL_MS) void replace();
  }, NATS_LIVE_STALL_MS / 4);
  return {
    async stop() {
      stopped = true;
      clearInterval(watchdog);
      held = null;
      await detach(current);
    },
  };
}
