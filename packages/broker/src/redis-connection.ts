import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { BrokerError } from './errors.js';

/** A connection that runs commands: one server, or a Redis Cluster client that routes each by its key's slot. */
export type RedisClient = Redis | Cluster;

/** Longest wait for one Redis reply before the command fails (a hung server must not hang publishes). @default 5000 */
export const REDIS_COMMAND_TIMEOUT_MS = 5000;
/** Longest pause between two reconnection attempts. @default 2000 */
export const REDIS_MAX_RETRY_DELAY_MS = 2000;

/** Delay before reconnection attempt `attempt` (1, 2, ...): doubling from 100 ms up to the cap. */
export function retryDelay(attempt: number): number {
  return Math.min(100 * 2 ** Math.min(attempt - 1, 10), REDIS_MAX_RETRY_DELAY_MS);
}

/**
 * Opens one ioredis connection that fails fast instead of queueing: no offline queue, and commands
 * in flight when the connection drops are rejected rather than resent (a resent publish could
 * append twice). `pipelined` batches the commands of one tick into one write. It reconnects
 * forever, reporting each failed attempt through `onRetry`.
 */
export function openRedis(url: string, label: string, onRetry?: (message: string) => void, pipelined = false): Redis {
  let lastError = 'connection closed';
  const client = new Redis(url, {
    ...failFastOptions(label, pipelined),
    retryStrategy(attempt) {
      const delay = retryDelay(attempt);
      onRetry?.(`redis ${label} connection to ${client.options.host}:${client.options.port} is down (attempt ${attempt}: ${lastError}); retrying in ${delay} ms`);
      lastError = 'connection closed';
      return delay;
    },
  });
  // Without a listener ioredis prints every connection error; the retry line above reports them instead.
  client.on('error', (error: Error) => {
    lastError = error.message;
  });
  return client;
}

/** What every connection of ours sets: fail fast, never resend (see {@link openRedis}). */
function failFastOptions(label: string, pipelined: boolean): RedisOptions {
  return {
    lazyConnect: true,
    // Commands issued in the same tick (concurrent publishes) go out as one write and are read by
    // Redis in one go: one round trip for many appends instead of one each.
    enableAutoPipelining: pipelined,
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    autoResubscribe: false,
    maxRetriesPerRequest: 0,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    connectionName: `ssehub-${label}`,
  };
}

/** The seed nodes and credentials of a `redis-cluster://[user:password@]h1:p1,h2:p2,...` URL. */
export interface RedisClusterTarget {
  readonly nodes: readonly { host: string; port: number }[];
  readonly username?: string;
  readonly password?: string;
}

/** Reads a `redis-cluster://` URL's seed nodes (query parameters are the broker's, not ioredis'). */
export function parseRedisClusterUrl(url: string): RedisClusterTarget {
  const match = /^redis-cluster:\/\/(?:([^@/?#]*)@)?([^/?#]+)/.exec(url);
  const nodes = (match?.[2] ?? '').split(',').map((address) => {
    const parsed = new URL(`redis://${address}`);
    return { host: parsed.hostname, port: Number(parsed.port || 6379) };
  });
  if (!match || nodes.length === 0) throw new BrokerError('invalid_url', `"${url}" lists no redis cluster node (expected redis-cluster://host:port,...)`);
  const [user, password] = (match[1] ?? '').split(':').map(decodeURIComponent);
  return { nodes, ...(password === undefined ? (user ? { password: user } : {}) : { username: user || undefined, password }) };
}

/**
 * A Redis Cluster client for commands, failing fast like {@link openRedis}: a command whose connection
 * closed is rejected, never resent (`retryDelayOnFailover: 0`), since a resent append could append
 * twice; redirections (MOVED, ASK, TRYAGAIN, CLUSTERDOWN) are retried, as the node did not run them.
 * Reconnects forever, reporting each failed attempt through `onRetry`.
 */
export function openRedisCluster(target: RedisClusterTarget, label: string, onRetry?: (message: string) => void): Cluster {
  let lastError = 'connection closed';
  const { lazyConnect, enableOfflineQueue, ...nodeOptions } = failFastOptions(label, true);
  const client = new Cluster([...target.nodes], {
    lazyConnect,
    enableOfflineQueue,
    enableAutoPipelining: true,
    retryDelayOnFailover: 0,
    redisOptions: { ...nodeOptions, username: target.username, password: target.password },
    clusterRetryStrategy(attempt) {
      const delay = retryDelay(attempt);
      const seeds = target.nodes.map((node) => `${node.host}:${node.port}`).join(',');
      onRetry?.(`redis cluster ${label} connection to ${seeds} is down (attempt ${attempt}: ${lastError}); retrying in ${delay} ms`);
      lastError = 'connection closed';
      return delay;
    },
  });
  client.on('error', (error: Error) => {
    lastError = error.message;
  });
  client.on('node error', (error: Error) => {
    lastError = error.message;
  });
  return client;
}

/**
 * One connection to one cluster node, for sharded pub/sub. It does not reconnect: the live feed notices
 * it closed, asks the cluster who owns its slots now, and opens a connection to that node instead.
 */
export function openRedisNode(host: string, port: number, target: RedisClusterTarget, label: string): Redis {
  const client = new Redis({ ...failFastOptions(label, false), host, port, username: target.username, password: target.password, retryStrategy: () => null });
  client.on('error', () => {
    // The feed reacts to 'close'; the error itself is reported by the recovery that follows.
  });
  return client;
}

/** Resolves once the connection is ready; rejects when it was closed for good. */
export function whenReady(client: RedisClient): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  if (client.status === 'end') return Promise.reject(new BrokerError('closed', 'the redis connection was closed'));
  return new Promise((resolve, reject) => {
    const onReady = (): void => {
      client.off('end', onEnd);
      resolve();
    };
    const onEnd = (): void => {
      client.off('ready', onReady);
      reject(new BrokerError('closed', 'the redis connection was closed'));
    };
    client.once('ready', onReady);
    client.once('end', onEnd);
  });
}

/** Turns whatever ioredis threw into a BrokerError (`unavailable` unless it already is one). */
export function toBrokerError(error: unknown): BrokerError {
  if (error instanceof BrokerError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new BrokerError('unavailable', `redis is unavailable: ${message}`, { cause: error });
}

/** Closes a connection: QUIT when it is up, otherwise just stop reconnecting. */
export async function closeRedis(client: RedisClient): Promise<void> {
  if (client.status === 'ready') {
    try {
      await client.quit();
      return;
    } catch {
      // fall through to a hard disconnect
    }
  }
  client.disconnect();
}
