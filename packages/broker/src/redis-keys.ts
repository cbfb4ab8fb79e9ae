/**
 * Every Redis key and channel name of one deployment, in one place. Topics are validated to
 * `[A-Za-z0-9_-]` segments joined by `/`, so they can stand in key names as they are.
 */
export interface RedisKeys {
  /** The one atomic counter every position of the log comes from. */
  readonly seq: string;
  /** The log's identity; a new one when the keys were lost. */
  readonly epoch: string;
  /** On a cluster: the replication id of the master that wrote last (see redis-lua.ts, EPOCH_LUA). */
  readonly origin: string;
  /** What a publish with this idempotency key answered. */
  idempotency(key: string): string;
  /** The topic's history: a stream whose entry ids are `<seq>-0`. */
  stream(topic: string): string;
  /** The topic's retention state: `trimmed` (highest position dropped), `last` (highest appended). */
  meta(topic: string): string;
  /** Prefix of the live notification channels, one per topic. */
  readonly channelPrefix: string;
  channel(topic: string): string;
}

/** Where a deployment's keys live: how many logs it has and whether the server is a Redis Cluster. */
export interface RedisLayout {
  /** `BROKER_URL`'s prefix option. */
  readonly prefix: string;
  /** Logs the topics are spread over. */
  readonly partitions: number;
  /** A Redis Cluster, where every key one script touches must hash to one slot. */
  readonly cluster: boolean;
}

/**
 * The prefix every key of one log starts with: the one naming rule. A log whose keys share a hash tag
 * (`{...}`) lives in one cluster slot, so each of its scripts touches one slot; partition k of P > 1 is
 * `{<prefix>.<k>}` (on plain Redis too, so moving to a cluster keeps the keys), P = 1 on a cluster is
 * `{<prefix>}`, and P = 1 on plain Redis stays `<prefix>` as it always was.
 */
export function logKeyPrefix(layout: RedisLayout, partition: number): string {
  if (layout.partitions > 1) return `{${layout.prefix}.${partition}}`;
  return layout.cluster ? `{${layout.prefix}}` : layout.prefix;
}

/**
 * The prefix of the presence records (and the node registry kept beside them): `<prefix>:p:` on plain
 * Redis, `{<prefix>}:p:` on a cluster so the compare-and-set script's three keys share a slot.
 */
export function presenceKeyPrefix(layout: RedisLayout): string {
  return `${layout.cluster ? `{${layout.prefix}}` : layout.prefix}:p:`;
}

/** Names the keys of one log under `logPrefix` (see {@link logKeyPrefix}). */
export function redisKeys(logPrefix: string): RedisKeys {
  const channelPrefix = `${logPrefix}:live:`;
  return {
    seq: `${logPrefix}:seq`,
    epoch: `${logPrefix}:epoch`,
    origin: `${logPrefix}:origin`,
    idempotency: (key) => `${logPrefix}:idem:${key}`,
    stream: (topic) => `${logPrefix}:t:${topic}`,
    meta: (topic) => `${logPrefix}:m:${topic}`,
    channelPrefix,
    channel: (topic) => `${channelPrefix}${topic}`,
  };
}
