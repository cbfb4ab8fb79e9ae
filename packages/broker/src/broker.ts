import type { EventEnvelope, ResetReason } from '@ssehub/protocol';

/** An event as the log holds it: the wire envelope plus its numeric position in the log. */
export interface StoredEvent extends EventEnvelope {
  /** The event's cursor; every stored event has one. */
  readonly id: string;
  /** Position in the log; strictly increasing, the number inside `id`. */
  readonly seq: number;
}

/** One event to append. */
export interface PublishInput {
  readonly topic: string;
  readonly type: string;
  readonly data: unknown;
}

/**
 * A live-only event (presence joins and leaves): handed to the topic's current subscribers on every
 * node, never stored, so it has no id, moves no cursor and is not replayed on resume.
 */
export interface LiveSignal extends Omit<EventEnvelope, 'id'> {
  /** Milliseconds since the Unix epoch, stamped when it was sent. */
  readonly ts: number;
}

/** Options of {@link Broker.publish}. */
export interface PublishOptions {
  /** A retried publish with the same key returns the original events instead of appending again. */
  readonly idempotencyKey?: string;
}

/** Options of {@link Broker.subscribe}. */
export interface BrokerSubscribeOptions {
  readonly topics: readonly string[];
  /** Resume after this cursor (wire form): replay what is retained, then go live. */
  readonly after?: string;
}

/** Receives one subscription's events, in increasing id order, each at most once. */
export interface SubscriptionListener {
  onEvent(event: StoredEvent): void;
  /** A live-only signal of one of its topics; only while live (one that comes during catch-up is dropped). */
  onSignal?(signal: LiveSignal): void;
  /**
   * The resume could not be served without a gap; called before any event of `topics` (on a
   * partitioned log, the topics of the partition that could not resume; else every topic).
   */
  onReset?(reason: ResetReason, topics?: readonly string[]): void;
  /** The subscription broke (broker lost, log recreated); no more events follow. */
  onError?(error: Error): void;
  /**
   * Asked after each event replayed during catch-up: a promise while the listener holds all it may (its
   * client reads slowly), settled once it can take more, rejected if it went away; else undefined.
   * Catch-up then reads on from there, so history the listener could not take is never held.
   */
  backpressure?(): Promise<void> | undefined;
}

/** A live subscription. */
export interface BrokerSubscription {
  /** True when it resumed from `after` with no gap, every topic of it. */
  readonly resumed: boolean;
  /**
   * The topics that resumed from `after` with no gap; the others started live (reset, or on a
   * partitioned log, in a partition `after` does not cover).
   */
  readonly resumedTopics: readonly string[];
  /** The log position it is live from, as a cursor a client can resume with. */
  readonly cursor: string;
  close(): void;
}

/** Options of {@link Broker.history}. */
export interface HistoryOptions {
  /** Events after this cursor; without it, the most recent ones. */
  readonly after?: string;
  readonly limit: number;
}

/** A page of one topic's history, oldest first. */
export interface HistoryPage {
  readonly events: StoredEvent[];
  /** True when retention (or a new epoch) dropped events after `after`. */
  readonly truncated: boolean;
}

/** Counters a node exposes in its metrics. */
export interface BrokerStats {
  /** Topics with at least one local subscriber, each one backend subscription. */
  readonly topics: number;
  readonly subscriptions: number;
}

/** One node's claim on a user's presence on a topic. */
export interface PresenceClaim {
  /** Open connections of the user on that node. */
  readonly connections: number;
  /** When the claim lapses unless the node refreshes it (ms since the Unix epoch). */
  readonly expires: number;
}

/** A user's presence on one topic: the claims of every node that holds connections for it. */
export interface PresenceRecord {
  readonly nodes: Readonly<Record<string, PresenceClaim>>;
}

/** A record with the revision a compare-and-set must name. */
export interface VersionedRecord<R> {
  readonly record: R | null;
  /** Opaque; `null` when there is no record. */
  readonly revision: string | null;
}

/** A presence record with its revision. */
export type VersionedPresence = VersionedRecord<PresenceRecord>;

/**
 * Where presence lives: a small compare-and-set store of JSON records under (scope, key) that each
 * backend provides, so the join/leave logic (first connection across the cluster → `presence.join`,
 * last → `presence.leave`) is written once. Presence records sit under (topic, user); other records
 * (the gateways' node reports) under reserved scopes, each read and cleaned up by its own owner.
 * The type parameter names what the caller stored; the store does not check it.
 */
export interface PresenceStore {
  get<R = PresenceRecord>(scope: string, key: string): Promise<VersionedRecord<R>>;
  /** Writes (or deletes, for `null`) only if the stored revision still is `revision`; false on a conflict. */
  put<R = PresenceRecord>(scope: string, key: string, record: R | null, revision: string | null): Promise<boolean>;
  /** Keys that have a record under a scope (the users on a topic). */
  users(scope: string): Promise<string[]>;
  /** Every (scope, key) that has a record, named (topic, user). */
  entries(): Promise<{ topic: string; user: string }[]>;
}

/** The one interface every backend offers; apps see nothing else. */
export interface Broker {
  /** Presence records shared by every node on this broker. */
  readonly presence: PresenceStore;
  /** `memory`, `redis` or `nats`. */
  readonly kind: string;
  /** Appends events in order; resolves once the backend durably accepted them. */
  publish(events: readonly PublishInput[], options?: PublishOptions): Promise<StoredEvent[]>;
  /** Sends a live-only event to the topic's subscribers on every node: not stored, no id, not replayed. */
  signal(signal: PublishInput): Promise<void>;
  subscribe(options: BrokerSubscribeOptions, listener: SubscriptionListener): Promise<BrokerSubscription>;
  history(topic: string, options: HistoryOptions): Promise<HistoryPage>;
  stats(): BrokerStats;
  /** Rejects when the backend cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Where a resume starts in one log, given the log's head as it is now: a position of this log (catch-up
 * replays what follows it), or undefined when the position is not one of this log's (a reset, `epoch`).
 */
export type ResumeCheck = (head: LogHead) => number | undefined;

/** A subscription to one log, with the epoch it follows. */
export interface LogSubscription extends BrokerSubscription {
  /** The epoch of the log it is live on. */
  readonly epoch: string;
}

/**
 * One ordered log as a {@link Broker}, plus what a partitioned deployment needs to resume a partition
 * from a position it recorded itself rather than from a cursor string.
 */
export interface PartitionLog extends Broker {
  subscribeAt(topics: readonly string[], resumeAt: ResumeCheck | undefined, listener: SubscriptionListener): Promise<LogSubscription>;
  historyAt(topic: string, resumeAt: ResumeCheck | undefined, limit: number): Promise<HistoryPage>;
  /** The log's head, read after this call (creating the log when it has none yet). */
  head(): Promise<LogHead>;
  /** When an epoch of this log was created (ms since the Unix epoch). */
  originOf(epoch: string): number;
}

/** Retention settings shared by every backend. */
export interface RetentionOptions {
  /** Events kept per topic. @default 1000 */
  readonly historyMaxPerTopic?: number;
  /** Seconds an event is kept. @default 86400 */
  readonly historyMaxAgeS?: number;
}

/** A page of the log read by a backend. */
export interface LogPage {
  readonly events: StoredEvent[];
  /** True when retention dropped events of these topics with seq > after. */
  readonly truncated: boolean;
}

/** The log's identity and its last assigned position. */
export interface LogHead {
  readonly epoch: string;
  readonly seq: number;
}

/** What the shared core gives a backend. */
export interface BackendHooks {
  /** Hands one live event to the local subscribers, in log order. */
  deliver(event: StoredEvent): void;
  /** Hands one live signal to the local subscribers of its topic; no seq, so no de-duplication. */
  signal(signal: LiveSignal): void;
  /** After a live feed was interrupted: refill the gap from history, then continue live. */
  resync(): Promise<void>;
  /** The log can no longer be followed (epoch changed): end every subscription. */
  fail(error: Error): void;
}

/** What one backend file implements; the shared core turns it into a {@link Broker}. */
export interface BrokerBackend {
  readonly kind: string;
  append(events: readonly PublishInput[], options: PublishOptions): Promise<StoredEvent[]>;
  /** Sends a signal to every node's feed (this one's included), outside the log. */
  signal(signal: LiveSignal): Promise<void>;
  /** Events of `topics` with seq > after, oldest first, at most `limit`. */
  read(topics: readonly string[], after: number, limit: number): Promise<LogPage>;
  /** The most recent `limit` events of one topic, oldest first. */
  latest(topic: string, limit: number): Promise<StoredEvent[]>;
  head(): Promise<LogHead>;
  /**
   * When an epoch of this backend was created, in ms since the Unix epoch: a partitioned deployment
   * numbers a partition's positions from it, so a recreated log's positions never meet an old one's.
   */
  originOf(epoch: string): number;
  /** Starts live delivery of a topic; resolves once delivery is active. */
  listen(topic: string): Promise<void>;
  unlisten(topic: string): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Options of `createBroker` that every backend understands. */
export interface CreateBrokerOptions extends RetentionOptions {
  /** Prefix of every Redis key / NATS subject and stream name, so deployments can share a server. @default "ssehub" */
  readonly prefix?: string;
  /** Called with one line per failed connection attempt while the backend retries. */
  readonly onRetry?: (message: string) => void;
}
