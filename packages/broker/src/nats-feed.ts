import { DeliverPolicy, type JetStreamClient, type JsMsg } from '@nats-io/jetstream';
import type { StreamNames } from './nats-stream.js';

/** Messages the live consumer asks for per pull. @default 1000 */
export const NATS_LIVE_PULL_BATCH = 1000;
/** Lifetime of one live pull, in ms; the server heartbeats every half of it, so a lost consumer shows within ~2 of it. @default 5000 */
export const NATS_LIVE_PULL_EXPIRES_MS = 5000;
/** Wait before checking the stream again when a check failed, in ms. @default 1000 */
const RECHECK_WAIT_MS = 1000;

/** How the live feed reports to the backend that owns it. */
export interface LiveFeedHandlers {
  /** One message of the stream, in stream order. */
  message(message: JsMsg): void;
  /**
   * The consumer was recreated after an interruption. Messages wait until this resolves: true
   * releases them (same stream), false drops them (the stream was replaced). May reject to be retried.
   */
  resumed(): Promise<boolean>;
  /** The consumer's server side vanished (deleted, or its stream gone); the owner checks the stream. */
  lost(): void;
}

/** The node's one ordered consumer over the whole stream. */
export interface LiveFeed {
  stop(): Promise<void>;
}

/**
 * Starts one ordered consumer over every subject of the stream from `startSeq`. The client library
 * recreates it after the last seen seq whenever delivery is interrupted; what arrives after such a
 * recreation is held until the owner confirmed the stream is still the same one.
 */
export async function startLiveFeed(js: JetStreamClient, names: StreamNames, startSeq: number, handlers: LiveFeedHandlers): Promise<LiveFeed> {
  // One filter given as a string: nats-server 2.9 rejects filter arrays.
  const consumer = await js.consumers.get(names.stream, {
    filter_subjects: names.all,
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: startSeq,
  });
  let stopped = false;
  let held: JsMsg[] | null = null;
  let resets = 0;
  const messages = await consumer.consume({
    max_messages: NATS_LIVE_PULL_BATCH,
    expires: NATS_LIVE_PULL_EXPIRES_MS,
    callback: (message) => {
      if (stopped) return;
      if (held) held.push(message);
      else handlers.message(message);
    },
  });

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
        await new Promise((resolve) => setTimeout(resolve, RECHECK_WAIT_MS));
      }
    }
  }

  void (async () => {
    for await (const status of messages.status()) {
      if (stopped) break;
      if (status.type === 'reset') {
        resets++;
        held ??= [];
      } else if (status.type === 'ordered_consumer_recreated') {
        void release(resets);
      } else if (status.type === 'consumer_deleted' || status.type === 'stream_not_found') {
        handlers.lost();
      }
    }
  })();

  return {
    async stop() {
      stopped = true;
      held = null;
      await messages.close();
      await consumer.delete().catch(() => {
        // Gone with the connection or the stream; the server drops it after its inactive threshold.
      });
    },
  };
}
