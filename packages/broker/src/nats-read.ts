import {
  AckPolicy,
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  type MsgRequest,
  type NextMsgRequest,
  type StoredMsg,
} from '@nats-io/jetstream';
import type { LogPage, StoredEvent } from './broker.js';
import { BrokerError } from './errors.js';
import { mergePages } from './merge-pages.js';
import { toStoredEvent, type RawMessage, type StreamNames } from './nats-stream.js';

/** Events of one topic read by single message gets before a read switches to a consumer. @default 8 */
export const NATS_DIRECT_READ_MAX = 8;
/** How long a history consumer may wait for its messages, in ms. @default 5000 */
export const NATS_FETCH_EXPIRES_MS = 5000;
/** Topics read at once by one multi-topic read (a resync reads every topic a node listens to). @default 32 */
export const NATS_READ_CONCURRENCY = 32;
/** Idle time after which the server removes a history consumer we failed to delete, in ns (30 s). */
const READ_CONSUMER_INACTIVE_NS = 30_000_000_000;

/** What reads and publishes need: the stream's clients and names, and the epoch their events are labelled with. */
export interface NatsLog {
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly names: StreamNames;
  readonly epoch: string;
  /**
   * True on a single-replica stream: long reads may go through a short-lived consumer. On a replicated
   * one, nats-server up to 2.11 places that consumer on any peer, even a lagging or offline one, so
   * reads stay with message gets, which the stream leader answers.
   */
  readonly consumerReads: boolean;
}

function decode(log: NatsLog, message: RawMessage): StoredEvent | null {
  try {
    return toStoredEvent(log.names, log.epoch, message);
  } catch {
    // Not written by ssehub (someone published raw bytes under our prefix): not an event.
    return null;
  }
}

/** The first message on `subject` at or after `seq`, answered by the stream leader. */
function nextOnSubject(log: NatsLog, subject: string, seq: number): Promise<StoredMsg | null> {
  // STREAM.MSG.GET takes next_by_subj since nats-server 2.9, but the client types list it only for
  // direct gets, which any replica may answer, even one that lags behind an acknowledged publish.
  const query: NextMsgRequest = { next_by_subj: subject, seq };
  return log.jsm.streams.getMessage(log.names.stream, query as unknown as MsgRequest);
}

/**
 * Up to `max` events of one subject from `startSeq` on, through a short-lived consumer: a few ms to
 * set up, then the whole page in one pull. Throws rather than return a page with a hole.
 */
async function fetchSubject(log: NatsLog, subject: string, startSeq: number, max: number): Promise<StoredEvent[]> {
  const info = await log.jsm.consumers.add(log.names.stream, {
    filter_subject: subject,
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: startSeq,
    ack_policy: AckPolicy.None,
    mem_storage: true,
    num_replicas: 1,
    inactive_threshold: READ_CONSUMER_INACTIVE_NS,
  });
  const want = Math.min(max, info.num_pending);
  const events: StoredEvent[] = [];
  let complete = want === 0;
  try {
    if (complete) return events;
    const messages = await log.js.consumers.getConsumerFromInfo(info).fetch({ max_messages: want, expires: NATS_FETCH_EXPIRES_MS });
    let delivered = 0;
    for await (const message of messages) {
      if (message.info.deliverySequence !== ++delivered) break;
      const event = decode(log, message);
      if (event) events.push(event);
      // Pending reaches 0 early when retention removed messages while we read them.
      if (delivered === want || message.info.pending === 0) {
        complete = true;
        break;
      }
    }
  } finally {
    log.jsm.consumers.delete(log.names.stream, info.name).catch(() => {
      // It expires on the server after READ_CONSUMER_INACTIVE_NS anyway.
    });
  }
  if (!complete) throw new BrokerError('unavailable', `reading ${subject} from ${startSeq} stopped early`);
  return events;
}

/** Events of one subject with seq > after, oldest first, at most `limit`. */
export async function readSubject(log: NatsLog, subject: string, after: number, limit: number): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  let seq = after + 1;
  // A resume usually misses a handful of events: one get each beats setting up a consumer.
  const gets = log.consumerReads ? Math.min(limit, NATS_DIRECT_READ_MAX) : limit;
  while (events.length < gets) {
    const message = await nextOnSubject(log, subject, seq);
    if (!message) return events;
    const event = decode(log, message);
    if (event) events.push(event);
    seq = message.seq + 1;
  }
  if (events.length >= limit) return events;
  return [...events, ...(await fetchSubject(log, subject, seq, limit - events.length))];
}

/** The most recent `limit` events of one subject; reads at most max_msgs_per_subject events. */
export async function latestOfSubject(log: NatsLog, subject: string, limit: number): Promise<StoredEvent[]> {
  if (limit <= 0) return [];
  const all = Number.MAX_SAFE_INTEGER;
  const events = log.consumerReads ? await fetchSubject(log, subject, 1, all) : await readSubject(log, subject, 0, all);
  return events.slice(-limit);
}

/**
 * True when events of `subject` with seq > after may have been removed by retention. Call it after
 * reading, so removals during the read count too. Both limits remove a subject's oldest events first:
 * the count limit only while the subject is full, the age limit only below the stream's first seq.
 */
export async function mayHaveDropped(log: NatsLog, subject: string, after: number, firstRead: number | undefined): Promise<boolean> {
  if (firstRead === after + 1) return false;
  const info = await log.jsm.streams.info(log.names.stream, { subjects_filter: subject });
  const count = info.state.subjects?.[subject] ?? 0;
  const full = count >= info.config.max_msgs_per_subject && info.config.max_msgs_per_subject > 0;
  if (!full && info.state.first_seq <= after + 1) return false;
  // A retained event at or before `after` proves nothing newer was removed.
  const oldest = await nextOnSubject(log, subject, 1);
  return !oldest || oldest.seq > after;
}

/** Maps with at most `limit` calls in flight, keeping the order of the results. */
async function mapLimited<T, R>(items: readonly T[], limit: number, map: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  async function worker(): Promise<void> {
    while (next < items.length) {
      const index = next++;
      results[index] = await map(items[index]!);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Events of several subjects with seq > after in log order, at most `limit`, and whether retention may have cut into them. */
export async function readSubjects(log: NatsLog, subjects: readonly string[], after: number, limit: number): Promise<LogPage> {
  const pages = await mapLimited(subjects, NATS_READ_CONCURRENCY, async (subject) => {
    const events = await readSubject(log, subject, after, limit);
    return { events, dropped: await mayHaveDropped(log, subject, after, events[0]?.seq) };
  });
  return { events: mergePages(pages.map((page) => page.events), limit), truncated: pages.some((page) => page.dropped) };
}
