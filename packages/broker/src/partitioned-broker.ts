import { createHash } from 'node:crypto';
import { decodeAnyCursor, encodePartitionCursor, partitionOf, type PartitionCursor } from '@ssehub/protocol';
import type {
  Broker,
  BrokerSubscribeOptions,
  BrokerSubscription,
  HistoryPage,
  PartitionLog,
  PresenceStore,
  PublishInput,
  PublishOptions,
  ResumeCheck,
  StoredEvent,
  SubscriptionListener,
} from './broker.js';
import { BrokerError } from './errors.js';
import { PartitionPositions } from './partition-position.js';
import { PartitionedSubscription, type PartitionLabels } from './partition-subscription.js';

/**
 * How one partition starts from a cursor: live (no `resumeAt`), or from a position the token holds
 * (`resumeAt` checks it against the log's head), or reset (a `resumeAt` that finds no position).
 */
interface PartitionStart {
  readonly resumeAt?: ResumeCheck;
  readonly position?: number;
}

const LIVE: PartitionStart = {};
const NOT_THIS_LOG: ResumeCheck = () => undefined;
const RESET: PartitionStart = { resumeAt: NOT_THIS_LOG };

/**
 * Which partition each of `topics` is in, grouped: partition index → its topics, in the order given.
 */
function groupByPartition<T>(items: readonly T[], topicOf: (item: T) => string, partitions: number): Map<number, T[]> {
  const groups = new Map<number, T[]>();
  for (const item of items) {
    const index = partitionOf(topicOf(item), partitions);
    let group = groups.get(index);
    if (!group) groups.set(index, (group = []));
    group.push(item);
  }
  return groups;
}

/** A short digest of a whole publish request: the same events in the same order give the same one. */
function requestDigest(events: readonly PublishInput[]): string {
  const text = JSON.stringify(events.map(({ topic, type, data }) => [topic, type, data ?? null]));
  return createHash('sha256').update(text).digest('base64url').slice(0, 22);
}

/**
 * A broker over P ordered logs (P ≥ 2), one per partition: a topic lives in partition
 * `partitionOf(topic, P)`, so each topic keeps strict order while the partitions' logs (one Redis
 * hash slot or one JetStream stream each) spread writes and history over the broker's nodes. A
 * stream's resume token holds one position per partition its topics map to; there is no order across
 * partitions. Every log is created before the broker is handed out, so their creation times, the
 * origins of their positions, lie close together and the token stays short.
 */
export async function createPartitionedBroker(kind: string, logs: readonly PartitionLog[], presence: PresenceStore): Promise<Broker> {
  const partitions = logs.length;
  if (partitions < 2) throw new Error('a partitioned broker has at least two partitions');
  await Promise.all(logs.map((log) => log.head()));
  const positions = logs.map((log) => new PartitionPositions(log));
  const soleLabels = logs.map(() => new WeakMap<StoredEvent, StoredEvent>());
  let subscriptionCount = 0;

  const labels: PartitionLabels = {
    partitions,
    positions: (index) => positions[index]!,
    soleLabel(index, event, position) {
      let labelled = soleLabels[index]!.get(event);
      if (!labelled) {
        labelled = { ...event, id: encodePartitionCursor({ partitions, positions: new Map([[index, position]]) }) };
        soleLabels[index]!.set(event, labelled);
      }
      return labelled;
    },
  };

  /** An event a log acknowledged or read, labelled with its own partition's token. */
  function labelled(index: number, event: StoredEvent): StoredEvent {
    return labels.soleLabel(index, event, positions[index]!.positionOfEvent(event.id, event.seq));
  }

  /** How each partition starts from a cursor: a token of this deployment resumes the partitions it covers. */
  function startsFrom(after: string | undefined): (index: number) => PartitionStart {
    if (after === undefined) return () => LIVE;
    const parsed = decodeAnyCursor(after);
    if (!parsed) throw new BrokerError('invalid_cursor', 'the cursor is not one ssehub issued');
    // A single log's cursor, or another partition count's: no position of it means anything here.
    if (parsed.kind !== 'partitioned' || parsed.cursor.partitions !== partitions) return () => RESET;
    const token: PartitionCursor = parsed.cursor;
    return (index) => {
      const position = token.positions.get(index);
      return position === undefined ? LIVE : { resumeAt: positions[index]!.resumeAt(position), position };
    };
  }

  async function subscribe(options: BrokerSubscribeOptions, listener: SubscriptionListener): Promise<BrokerSubscription> {
    const start = startsFrom(options.after);
    const groups = groupByPartition([...new Set(options.topics)], (topic) => topic, partitions);
    subscriptionCount++;
    const subscription = new PartitionedSubscription(labels, listener, () => subscriptionCount--);
    const resumedTopics: string[] = [];
    let resumed = options.after !== undefined;
    try {
      await Promise.all(
        [...groups].map(async ([index, topics]) => {
          const { resumeAt, position } = start(index);
          const part = await logs[index]!.subscribeAt(topics, resumeAt, subscription.partListener(index, topics, position));
          subscription.added(index, part);
          if (part.resumed) resumedTopics.push(...topics);
          else resumed = false;
        }),
      );
    } catch (error) {
      subscription.close();
      throw error;
    }
    subscription.resumed = resumed;
    subscription.resumedTopics = options.topics.filter((topic) => resumedTopics.includes(topic));
    subscription.cursor = subscription.token();
    return subscription;
  }

  async function publish(events: readonly PublishInput[], options: PublishOptions = {}): Promise<StoredEvent[]> {
    const indexed = events.map((event, at) => ({ event, at }));
    const groups = [...groupByPartition(indexed, ({ event }) => event.topic, partitions)];
    const stored = new Array<StoredEvent>(events.length);
    const append = async ([index, group]: [number, typeof indexed], idempotencyKey: string | undefined): Promise<void> => {
      const appended = await logs[index]!.publish(
        group.map(({ event }) => event),
        { idempotencyKey },
      );
      for (const [at, event] of appended.entries()) stored[group[at]!.at] = labelled(index, event);
    };
    const key = options.idempotencyKey;
    if (key === undefined || groups.length === 1) {
      await Promise.all(groups.map((group) => append(group, key)));
      return stored;
    }
    // A batch over several partitions, retried under one key, must append no part twice whichever parts
    // landed: each part is its own log's append under a key of its own. The part of the first event's
    // partition goes first under the key itself, so a key reused for another request is refused there
    // before anything is appended; the other parts' keys name the whole request, so a retry finds them.
    const [first, ...rest] = groups;
    await append(first!, key);
    const whole = requestDigest(events);
    await Promise.all(rest.map((group) => append(group, `${key}~${whole}`)));
    return stored;
  }

  async function history(topic: string, options: { after?: string; limit: number }): Promise<HistoryPage> {
    const index = partitionOf(topic, partitions);
    // "After a cursor" that does not cover the topic's partition cannot be served: the latest, truncated.
    const resumeAt = options.after === undefined ? undefined : (startsFrom(options.after)(index).resumeAt ?? NOT_THIS_LOG);
    const page = await logs[index]!.historyAt(topic, resumeAt, options.limit);
    return { events: page.events.map((event) => labelled(index, event)), truncated: page.truncated };
  }

  return {
    kind,
    presence,
    publish,
    signal: (signal) => logs[partitionOf(signal.topic, partitions)]!.signal(signal),
    subscribe,
    history,
    stats: () => ({ topics: logs.reduce((sum, log) => sum + log.stats().topics, 0), subscriptions: subscriptionCount }),
    ping: async () => void (await Promise.all(logs.map((log) => log.ping()))),
    close: async () => void (await Promise.all(logs.map((log) => log.close()))),
  };
}
