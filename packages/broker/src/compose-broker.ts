import { decodeCursor, encodeCursor, type Cursor } from '@ssehub/protocol';
import type {
  BackendHooks,
  Broker,
  BrokerBackend,
  HistoryPage,
  LogHead,
  PartitionLog,
  PresenceStore,
  ResumeCheck,
  StoredEvent,
  BrokerSubscription,
  SubscriptionListener,
  BrokerSubscribeOptions,
} from './broker.js';
import { BrokerError } from './errors.js';
import { assertSameRequest } from './idempotent-replay.js';
import { LocalSubscriber } from './local-subscriber.js';
import { TopicFanout } from './topic-fanout.js';

/** Events read per history round trip during catch-up, at most. @default 500 */
export const CATCH_UP_PAGE_SIZE = 500;
/** Events of a subscription's first catch-up read; each read after one the listener took whole doubles it. @default 50 */
export const CATCH_UP_FIRST_PAGE_SIZE = 50;

const noop = (): void => {};

/** A cursor of this log resumes when it names the log's epoch and a position the log has reached. */
function sameEpoch(cursor: Cursor): ResumeCheck {
  const position = cursor.positions[0]!;
  return (head) => (cursor.epoch === head.epoch && position <= head.seq ? position : undefined);
}

function parseCursor(value: string): Cursor {
  const cursor = decodeCursor(value);
  if (!cursor || cursor.positions.length !== 1) {
    throw new BrokerError('invalid_cursor', 'the cursor is not one ssehub issued');
  }
  return cursor;
}

/**
 * Builds a {@link Broker} from one backend. Everything that is the same for every backend lives
 * here once: ref-counted local subscriptions, the history/live seam, epoch and retention checks,
 * and refilling the live feed after an interruption.
 */
export function composeBroker(createBackend: (hooks: BackendHooks) => BrokerBackend, presence: PresenceStore): PartitionLog {
  let lastDispatchedSeq = 0;
  // While the live feed is being refilled from history, newer live events wait here.
  let resyncHeld: StoredEvent[] | null = null;
  let subscriptionCount = 0;
  // The epoch of the last head read; forgotten when the log turns out recreated.
  let knownEpoch: string | undefined;

  const hooks: BackendHooks = {
    deliver(event) {
      if (resyncHeld) resyncHeld.push(event);
      else dispatch(event);
    },
    // A signal has no place in the log: no seq check, not held behind a resync.
    signal: (signal) => fanout.signal(signal),
    resync,
    fail(error) {
      // A recreated log numbers its events from 1 again; without this they would be dropped as seen.
      if (error instanceof BrokerError && error.code === 'epoch_changed') {
        lastDispatchedSeq = 0;
        knownEpoch = undefined;
      }
      for (const subscriber of fanout.all()) {
        fanout.remove(subscriber);
        subscriber.fail(error);
      }
    },
  };
  const backend = createBackend(hooks);
  const fanout = new TopicFanout(backend);

  function dispatch(event: StoredEvent): void {
    if (event.seq <= lastDispatchedSeq) return;
    lastDispatchedSeq = event.seq;
    fanout.dispatch(event);
  }

  async function resync(): Promise<void> {
    resyncHeld ??= [];
    try {
      const topics = fanout.topics();
      let after = lastDispatchedSeq;
      for (;;) {
        if (topics.length === 0) break;
        const page = await backend.read(topics, after, CATCH_UP_PAGE_SIZE);
        if (page.truncated) throw new BrokerError('unavailable', 'events were trimmed while the live feed was down');
        for (const event of page.events) dispatch(event);
        if (page.events.length < CATCH_UP_PAGE_SIZE) break;
        after = page.events[page.events.length - 1]!.seq;
      }
    } catch (error) {
      hooks.fail(error instanceof Error ? error : new Error(String(error)));
    } finally {
      const held = resyncHeld ?? [];
      resyncHeld = null;
      for (const event of held) dispatch(event);
    }
  }

  /**
   * Replays history after `subscriber.lastSeq` in pages paced by the listener: when it is full, the rest
   * of the page is dropped and read again once it has room, never more than it took last time. So a
   * client that reads slowly costs its own buffer, not its share of the retained history.
   */
  async function catchUp(subscriber: LocalSubscriber): Promise<boolean> {
    let limit = CATCH_UP_FIRST_PAGE_SIZE;
    let waited = false;
    for (let first = true; ; first = false) {
      const after = subscriber.lastSeq;
      const page = await backend.read(subscriber.topics, after, limit);
      if (first && page.truncated) return false;
      // Trimmed while the client held catch-up back: a gap, so the stream ends and resumes with a reset.
      if (waited && page.truncated) throw new BrokerError('unavailable', 'events were trimmed while the catch-up waited for the client');
      const full = subscriber.replay(page.events);
      if (subscriber.isClosed) return true;
      if (full === undefined) {
        if (page.events.length < limit) return true;
        limit = Math.min(CATCH_UP_PAGE_SIZE, limit * 2);
        continue;
      }
      limit = Math.max(1, page.events.filter((event) => event.seq > after && event.seq <= subscriber.lastSeq).length);
      waited = true;
      await full;
    }
  }

  // The head read on the wire, and the one that waits for it to answer (see headAfterNow).
  let headReading: Promise<LogHead> | undefined;
  let headNext: Promise<LogHead> | undefined;

  async function readHead(): Promise<LogHead> {
    try {
      const head = await backend.head();
      knownEpoch = head.epoch;
      return head;
    } finally {
      headReading = undefined;
    }
  }

  /**
   * The log's head, read after this call. A head read sent after a subscriber went live is a valid
   * seam for it, so the subscribers that ask while a read is on the wire share the next one: a
   * storm of connects costs a round trip per answer, not one per stream, and a lone one waits for none.
   */
  function headAfterNow(): Promise<LogHead> {
    if (headReading === undefined) return (headReading = readHead());
    headNext ??= headReading.then(noop, noop).then(() => {
      headNext = undefined;
      return headReading ?? (headReading = readHead());
    });
    return headNext;
  }

  /**
   * Where a new subscription without a cursor starts. On topics this node already follows, it needs no
   * round trip: everything it dispatched is behind the subscriber, and everything it has not is
   * past the topics' seams and reaches the subscriber live. Else one head read, which becomes the
   * seam of its topics.
   */
  async function liveHead(subscriber: LocalSubscriber): Promise<LogHead> {
    const seq = knownEpoch === undefined ? undefined : fanout.seamOf(subscriber.topics, lastDispatchedSeq);
    if (seq !== undefined) return { epoch: knownEpoch!, seq };
    const head = await headAfterNow();
    fanout.recordSeam(subscriber, head.seq);
    return head;
  }

  async function subscribe(options: BrokerSubscribeOptions, listener: SubscriptionListener): Promise<BrokerSubscription> {
    const cursor = options.after === undefined ? undefined : parseCursor(options.after);
    return subscribeAt(options.topics, cursor && sameEpoch(cursor), listener);
  }

  /**
   * Opens a subscription that resumes where `resumeAt` places it in the log as it is now, or starts live
   * without one; `resumeAt` answering undefined means the position is not of this log (reset `epoch`).
   */
  async function subscribeAt(
    requested: readonly string[],
    resumeAt: ResumeCheck | undefined,
    listener: SubscriptionListener,
  ): Promise<LocalSubscriber> {
    const unique = new Set(requested);
    const topics = unique.size === requested.length ? requested : [...unique];
    const subscriber = new LocalSubscriber(topics, listener, release);
    subscriptionCount++;
    try {
      // Live delivery must be active before the head is read, so nothing falls between the two.
      const listening = fanout.add(subscriber);
      if (listening !== undefined) await listening;
      const head = resumeAt === undefined ? await liveHead(subscriber) : await headAfterNow();
      subscriber.lastSeq = head.seq;
      let resumed = false;
      if (resumeAt) {
        const position = resumeAt(head);
        if (position === undefined) {
          subscriber.reset('epoch');
        } else {
          subscriber.lastSeq = position;
          resumed = await catchUp(subscriber);
          if (!resumed) {
            subscriber.lastSeq = head.seq;
            subscriber.reset('retention');
          }
        }
      }
      subscriber.goLive();
      subscriber.resumed = resumed;
      subscriber.epoch = head.epoch;
      subscriber.cursor = encodeCursor({ epoch: head.epoch, positions: [subscriber.lastSeq] });
      return subscriber;
    } catch (error) {
      subscriber.close();
      throw error;
    }
  }

  /** What a subscriber's `close` does: one function for all, no closure per subscription. */
  function release(subscriber: LocalSubscriber): void {
    subscriptionCount--;
    fanout.remove(subscriber);
  }

  async function history(topic: string, options: { after?: string; limit: number }): Promise<HistoryPage> {
    return historyAt(topic, options.after === undefined ? undefined : sameEpoch(parseCursor(options.after)), options.limit);
  }

  async function historyAt(topic: string, resumeAt: ResumeCheck | undefined, limit: number): Promise<HistoryPage> {
    if (resumeAt === undefined) return { events: await backend.latest(topic, limit), truncated: false };
    const position = resumeAt(await backend.head());
    if (position === undefined) return { events: await backend.latest(topic, limit), truncated: true };
    return backend.read([topic], position, limit);
  }

  return {
    kind: backend.kind,
    presence,
    async publish(events, options = {}) {
      const stored = await backend.append(events, options);
      if (options.idempotencyKey !== undefined) assertSameRequest(events, stored);
      return stored;
    },
    signal: ({ topic, type, data }) => backend.signal({ topic, type, data, ts: Date.now() }),
    subscribe,
    subscribeAt,
    history,
    historyAt,
    head: headAfterNow,
    originOf: (epoch) => backend.originOf(epoch),
    stats: () => ({ topics: fanout.topics().length, subscriptions: subscriptionCount }),
    ping: () => backend.ping(),
    async close() {
      hooks.fail(new BrokerError('closed', 'the broker was closed'));
      await backend.close();
    },
  };
}
