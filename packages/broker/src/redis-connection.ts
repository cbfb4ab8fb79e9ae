import { Redis } from 'ioredis';
import { BrokerError } from './errors.js';

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

/** Resolves once the connection is ready; rejects when it was closed for good. */
export function whenReady(client: Redis): Promise<void> {
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
export async function closeRedis(client: Redis): Promise<void> {
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
