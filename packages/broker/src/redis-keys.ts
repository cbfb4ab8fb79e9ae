/**
 * Every Redis key and channel name of one deployment, in one place. Topics are validated to
 * `[A-Za-z0-9_-]` segments joined by `/`, so they can stand in key names as they are.
 */
export interface RedisKeys {
  /** The one atomic counter every position comes from. */
  readonly seq: string;
  /** The log's identity; a new one when the keys were lost. */
  readonly epoch: string;
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

/** Names the keys of a deployment under `prefix` (presence lives under `<prefix>:p:`, see redis-presence.ts). */
export function redisKeys(prefix: string): RedisKeys {
  const channelPrefix = `${prefix}:live:`;
  return {
    seq: `${prefix}:seq`,
    epoch: `${prefix}:epoch`,
    idempotency: (key) => `${prefix}:idem:${key}`,
    stream: (topic) => `${prefix}:t:${topic}`,
    meta: (topic) => `${prefix}:m:${topic}`,
    channelPrefix,
    channel: (topic) => `${channelPrefix}${topic}`,
  };
}
