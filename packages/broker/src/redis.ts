import { decodeCursor } from '@ssehub/protocol';
import type { Cluster, Redis } from 'ioredis';
import type { BackendHooks, Broker, BrokerBackend, CreateBrokerOptions, LogHead, PartitionLog, PresenceStore } from './broker.js';
import { composeBroker } from './compose-broker.js';
import { BrokerError } from './errors.js';
import { epochCreatedAt, newEpoch } from './epoch.js';
import { DEFAULT_HISTORY_MAX_AGE_S, DEFAULT_HISTORY_MAX_PER_TOPIC } from './retention-defaults.js';
import { mergePages } from './merge-pages.js';
import { createPartitionedBroker } from './partitioned-broker.js';
import {
  closeRedis,
  openRedis,
  openRedisCluster,
  openRedisNode,
  parseRedisClusterUrl,
  toBrokerError,
  whenReady,
  type RedisClient,
} from './redis-connection.js';
import { logKeyPrefix, presenceKeyPrefix, redisKeys, type RedisKeys, type RedisLayout } from './redis-keys.js';
import { RedisPubSubFeed, decodeLiveMessage, encodeSignal, type RedisLiveFeed, type RedisLiveHandlers } from './redis-live.js';
import { RedisShardedFeed } from './redis-sharded-live.js';
import { keySlot } from './redis-slot.js';
import { runAppend, runHead, runLatest, runRead, type ScriptLimits } from './redis-scripts.js';
import { createRedisPresenceStore } from './redis-presence.js';

/** `-`, between an id's epoch and its position. */
const DASH = 0x2d;

/** Longest wait, with `?wait=N`, for replicas to acknowledge an append before the publish fails. @default 1000 */
export const REDIS_WAIT_TIMEOUT_MS = 1000;

/** Options of {@link createRedisBroker}. */
export interface RedisBrokerOptions extends CreateBrokerOptions {
  /**
   * `redis://[user:password@]host:port[/db]` or `redis-cluster://[user:password@]host:port,host:port,...`
   * (seed nodes of a Redis Cluster), each with optional `?partitions=N` and `?wait=N` (an append is
   * acknowledged once N replicas have it, else the publish fails as unavailable).
   */
  readonly url: string;
  /** Logs the topics are spread over; the URL's `?partitions=N` by default, else 1. */
  readonly partitions?: number;
}

/** The P logs of a Redis deployment over one set of connections, and their shared presence store. */
export interface RedisPartitionLogs {
  /** Log k holds the keys under `{<prefix>.<k>}` (redis-keys.ts); each is a {@link Broker} of its own. */
  readonly logs: readonly PartitionLog[];
  readonly presence: PresenceStore;
}

/** What one log's backend needs from the connections every log shares. */
interface SharedRedis {
  readonly commands: RedisClient;
  readonly layout: RedisLayout;
  readonly limits: ScriptLimits;
  /** Replicas an append waits for (`?wait=N`); 0 to not wait. */
  readonly waitReplicas: number;
  /** Listens to a channel on the process's one live feed. */
  readonly feed: RedisLiveFeed;
  /** A log's backend closed; the connections close with the last one. */
  release(): Promise<void>;
}

/** One log's side of the shared live feed. */
interface LogRoute {
  onMessage(message: string): void;
  /** Reads the head, checking the epoch. */
  head(): Promise<LogHead>;
  resync(): Promise<void>;
}

/** The broker's query parameters of a Redis URL (ioredis would read them as its own options). */
function brokerParams(url: string): { wait: number; ioredisUrl: string } {
  const [base, query = ''] = url.split('?', 2) as [string, string?];
  const params = new URLSearchParams(query);
  const value = params.get('wait');
  params.delete('wait');
  params.delete('partitions');
  const wait = value === null ? 0 : Number(value);
  if (value !== null && (!/^[0-9]+$/.test(value) || wait < 1 || wait > 16)) {
    throw new BrokerError('invalid_url', `wait=${value.slice(0, 40)} in the redis URL must be a whole number of replicas from 1 to 16`);
  }
  const rest = params.toString();
  return { wait, ioredisUrl: rest ? `${base}?${rest}` : base };
}

/** `?partitions=N` of a URL (create-broker.ts checked it when it parsed BROKER_URL). */
function urlPartitions(url: string): number {
  const value = new URLSearchParams(url.split('?', 2)[1] ?? '').get('partitions');
  return value === null ? 1 : Number(value);
}

/**
 * Waits until `replicas` replicas acknowledged every write sent so far on the connection that ran an
 * append to `key`'s slot: WAIT counts the writes of the connection it runs on, so on a cluster it goes to
 * that slot's master over the cluster client's own connection to it.
 */
async function waitForReplicas(commands: RedisClient, key: string, replicas: number): Promise<void> {
  let connection: Redis | Cluster | undefined = commands;
  if (isCluster(commands)) {
    const owner = commands.slots[keySlot(key)]?.[0];
    connection = commands.nodes('master').find((node) => `${node.options.host}:${node.options.port}` === owner);
  }
  const acknowledged = connection === undefined ? 0 : await (connection as Redis).wait(replicas, REDIS_WAIT_TIMEOUT_MS);
  if (acknowledged < replicas) {
    throw new BrokerError(
      'unavailable',
      `redis: ${acknowledged} of ${replicas} replicas acknowledged the append within ${REDIS_WAIT_TIMEOUT_MS} ms (it is stored on the master; retry with the same idempotency key)`,
    );
  }
}

function isCluster(client: RedisClient): client is Cluster {
  return 'slots' in client;
}

function createRedisBackend(shared: SharedRedis, keys: RedisKeys, hooks: BackendHooks, register: (route: LogRoute) => void): BrokerBackend {
  const { commands, limits, feed } = shared;
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
    const found = await call(() => runHead(commands, keys, limits.cluster, newEpoch()));
    observeEpoch(found.epoch);
    return found;
  }

  register({
    onMessage(message) {
      const decoded = decodeLiveMessage(message);
      if (decoded === undefined) return;
      if ('signal' in decoded) hooks.signal(decoded.signal);
      else if (observeEpochOf(decoded.event.id)) hooks.deliver(decoded.event);
    },
    head,
    resync: () => hooks.resync(),
  });

  return {
    kind: 'redis',
    async append(inputs, { idempotencyKey }) {
      if (inputs.length === 0) return [];
      const events = await call(() => runAppend(commands, keys, limits, inputs, idempotencyKey, newEpoch()));
      observeEpochOf(events[0]!.id);
      if (shared.waitReplicas > 0) await call(() => waitForReplicas(commands, keys.seq, shared.waitReplicas));
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
    signal: (signal) =>
      call(async () => {
        const channel = keys.channel(signal.topic);
        if (isCluster(commands)) await commands.spublish(channel, encodeSignal(signal));
        else await commands.publish(channel, encodeSignal(signal));
      }),
    listen: (topic) => call(() => feed.listen(keys.channel(topic))),
    unlisten: (topic) => call(() => feed.unlisten(keys.channel(topic))),
    ping: () => call(async () => void (await commands.ping())),
    async close() {
      if (closed) return;
      closed = true;
      await shared.release();
    },
  };
}

/** Connects, retrying forever (each failed attempt reported through `onRetry`), until Redis answers. */
async function connect(client: RedisClient): Promise<void> {
  client.connect().catch(() => {
    // The retry strategy reconnects and reports; whenReady waits for the attempt that succeeds.
  });
  await whenReady(client);
}

/** The layout a URL names, refusing a prefix that would break the hash tags its keys are named with. */
function layoutOf(options: RedisBrokerOptions, partitions: number, cluster: boolean): RedisLayout {
  const prefix = options.prefix ?? 'ssehub';
  if ((cluster || partitions > 1) && /[{}]/.test(prefix)) {
    throw new BrokerError('invalid_url', `the redis key prefix "${prefix}" may not contain { or } (its keys are named with hash tags)`);
  }
  return { prefix, partitions, cluster };
}

/**
 * The P logs of a Redis (or Redis Cluster) deployment over one commands connection and one live feed
 * for the whole process, whatever P is: log k's keys are `{<prefix>.<k>}:...` (one cluster slot per log),
 * its live messages reach only its own backend (routed by the channel's hash tag). The connections close
 * when the last log is closed.
 */
export async function createRedisPartitionLogs(options: RedisBrokerOptions, partitions: number): Promise<RedisPartitionLogs> {
  const cluster = options.url.startsWith('redis-cluster://');
  const layout = layoutOf(options, partitions, cluster);
  const { wait, ioredisUrl } = brokerParams(options.url);
  const target = cluster ? parseRedisClusterUrl(ioredisUrl) : undefined;
  const commands: RedisClient = target ? openRedisCluster(target, 'commands', options.onRetry) : openRedis(ioredisUrl, 'commands', options.onRetry, true);
  const subscriber = target ? undefined : openRedis(ioredisUrl, 'live', options.onRetry);
  try {
    await Promise.all([connect(commands), subscriber && connect(subscriber)]);
  } catch (error) {
    await Promise.all([closeRedis(commands), subscriber && closeRedis(subscriber)]);
    throw toBrokerError(error);
  }

  const routes: LogRoute[] = [];
  const byTag = new Map<string, LogRoute>();
  const handlers: RedisLiveHandlers = {
    onMessage(channel, message) {
      // A single log takes every message; partition k's channels start with its tag `{<prefix>.<k>}`.
      const route = routes.length === 1 ? routes[0] : byTag.get(channel.slice(0, channel.indexOf('}') + 1));
      route?.onMessage(message);
    },
    async prepare() {
      await whenReady(commands);
      await Promise.all(routes.map((route) => route.head()));
    },
    // Every log marks itself as refilling before this returns, so held messages queue behind the refills.
    resync: async () => void (await Promise.all(routes.map((route) => route.resync()))),
  };
  let feed: RedisLiveFeed;
  if (target) {
    const sharded = new RedisShardedFeed(commands as Cluster, (host, port) => openRedisNode(host, port, target, 'live'), handlers);
    feed = sharded;
    try {
      await sharded.start();
    } catch (error) {
      sharded.close();
      await closeRedis(commands);
      throw toBrokerError(error);
    }
  } else {
    feed = new RedisPubSubFeed(subscriber!, handlers);
  }

  let open = partitions;
  const shared: SharedRedis = {
    commands,
    layout,
    limits: {
      maxCount: Math.max(1, options.historyMaxPerTopic ?? DEFAULT_HISTORY_MAX_PER_TOPIC),
      maxAgeMs: Math.max(1, Math.round((options.historyMaxAgeS ?? DEFAULT_HISTORY_MAX_AGE_S) * 1000)),
      cluster,
    },
    waitReplicas: wait,
    feed,
    async release() {
      if (--open > 0) return;
      feed.close();
      await Promise.all([closeRedis(commands), subscriber && closeRedis(subscriber)]);
    },
  };
  const presence = createRedisPresenceStore(commands, presenceKeyPrefix(layout));
  const logs = Array.from({ length: partitions }, (_, k) => {
    const logPrefix = logKeyPrefix(layout, k);
    const register = (route: LogRoute): void => {
      routes.push(route);
      byTag.set(logPrefix, route);
    };
    return composeBroker((hooks) => createRedisBackend(shared, redisKeys(logPrefix), hooks, register), presence);
  });
  return { logs, presence };
}

/**
 * A broker over Redis or a Redis Cluster: one stream per topic for history, one atomic counter per log
 * for positions, one Lua script per publish, one commands connection and one live feed per process.
 */
export async function createRedisBroker(options: RedisBrokerOptions): Promise<Broker> {
  const partitions = options.partitions ?? urlPartitions(options.url);
  const { logs, presence } = await createRedisPartitionLogs(options, partitions);
  return partitions === 1 ? logs[0]! : createPartitionedBroker('redis', logs, presence);
}
