import { decodeCursor } from '@ssehub/protocol';
import type { Redis } from 'ioredis';
import type { BackendHooks, Broker, BrokerBackend, CreateBrokerOptions, LogHead } from './broker.js';
import { composeBroker } from './compose-broker.js';
import { BrokerError } from './errors.js';
import { epochCreatedAt, newEpoch } from './epoch.js';
import { DEFAULT_HISTORY_MAX_AGE_S, DEFAULT_HISTORY_MAX_PER_TOPIC } from './retention-defaults.js';
import { mergePages } from './merge-pages.js';
import { closeRedis, openRedis, toBrokerError, whenReady } from './redis-connection.js';
import { redisKeys } from './redis-keys.js';
import { RedisLiveFeed, encodeSignal } from './redis-live.js';
import { runAppend, runHead, runLatest, runRead } from './redis-scripts.js';
import { createRedisPresenceStore } from './redis-presence.js';

/** `-`, between an id's epoch and its position. */
const DASH = 0x2d;

/** Options of {@link createRedisBroker}. */
export interface RedisBrokerOptions extends CreateBrokerOptions {
  /** `redis://[user:password@]host:port[/db]` */
  readonly url: string;
}

function createRedisBackend(
  options: RedisBrokerOptions,
  commands: Redis,
  subscriber: Redis,
  hooks: BackendHooks,
): BrokerBackend {
  const keys = redisKeys(options.prefix ?? 'ssehub');
  const limits = {
    maxCount: Math.max(1, options.historyMaxPerTopic ?? DEFAULT_HISTORY_MAX_PER_TOPIC),
    maxAgeMs: Math.max(1, Math.round((options.historyMaxAgeS ?? DEFAULT_HISTORY_MAX_AGE_S) * 1000)),
  };
  let knownEpoch: string | undefined;
  let closed = false;

  /** Notes the epoch Redis answered; a different one than before means the log was recreated. */
  function observeEpoch(epoch: string): boolean {
    const previous = knownEpoch;
    knownEpoch = epoch;
    if (previous === undefined || previous === epoch) return true;
    hooks.fail(new BrokerError('epoch_changed', `the redis log was recreated (epoch ${previous} is now ${epoch})`));
    return false;
  }

  /** {@link observeEpoch} for an event id; nearly every id is of the epoch already seen, so a prefix check comes first. */
  function observeEpochOf(id: string): boolean {
    if (knownEpoch !== undefined && id.startsWith(knownEpoch) && id.charCodeAt(knownEpoch.length) === DASH) return true;
    const epoch = decodeCursor(id)?.epoch;
    return epoch !== undefined && observeEpoch(epoch);
  }

  async function call<T>(operation: () => Promise<T>): Promise<T> {
    if (closed) throw new BrokerError('closed', 'the redis broker was closed');
    try {
      return await operation();
    } catch (error) {
      throw closed ? new BrokerError('closed', 'the redis broker was closed', { cause: error }) : toBrokerError(error);
    }
  }

  async function head(): Promise<LogHead> {
    const found = await call(() => runHead(commands, keys, newEpoch()));
    observeEpoch(found.epoch);
    return found;
  }

  const live = new RedisLiveFeed(subscriber, keys, {
    onEvent(event) {
      if (observeEpochOf(event.id)) hooks.deliver(event);
    },
    onSignal: (signal) => hooks.signal(signal),
    async prepare() {
      await whenReady(commands);
      await head();
    },
    resync: () => hooks.resync(),
  });

  return {
    kind: 'redis',
    async append(inputs, { idempotencyKey }) {
      if (inputs.length === 0) return [];
      const events = await call(() => runAppend(commands, keys, limits, inputs, idempotencyKey, newEpoch()));
      observeEpochOf(events[0]!.id);
      return events;
    },
    async read(topics, after, limit) {
      if (topics.length === 0) return { events: [], truncated: false };
      const { pages, truncated } = await call(() => runRead(commands, keys, limits, topics, after, limit));
      return { events: mergePages(pages, limit), truncated };
    },
    latest: (topic, limit) => call(() => runLatest(commands, keys, limits, topic, limit)),
    head,
    originOf: epochCreatedAt,
    // On the topic's own channel, so it reaches exactly the nodes that listen to the topic.
    signal: (signal) => call(async () => void (await commands.publish(keys.channel(signal.topic), encodeSignal(signal)))),
    listen: (topic) => call(() => live.listen(topic)),
    unlisten: (topic) => call(() => live.unlisten(topic)),
    ping: () => call(async () => void (await commands.ping())),
    async close() {
      closed = true;
      live.close();
      await Promise.all([closeRedis(commands), closeRedis(subscriber)]);
    },
  };
}

/** Connects, retrying forever (each failed attempt reported through `onRetry`), until Redis answers. */
async function connect(client: Redis): Promise<void> {
  client.connect().catch(() => {
    // The retry strategy reconnects and reports; whenReady waits for the attempt that succeeds.
  });
  await whenReady(client);
}

/**
 * A broker over Redis: one stream per topic for history, one atomic counter for positions, one
 * Lua script per publish, and one pub/sub connection per process for live delivery.
 */
export async function createRedisBroker(options: RedisBrokerOptions): Promise<Broker> {
  const commands = openRedis(options.url, 'commands', options.onRetry, true);
  const subscriber = openRedis(options.url, 'live', options.onRetry);
  try {
    await Promise.all([connect(commands), connect(subscriber)]);
  } catch (error) {
    await Promise.all([closeRedis(commands), closeRedis(subscriber)]);
    throw toBrokerError(error);
  }
  const presence = createRedisPresenceStore(commands, options.prefix ?? 'ssehub');
  return composeBroker((hooks) => createRedisBackend(options, commands, subscriber, hooks), presence);
}
