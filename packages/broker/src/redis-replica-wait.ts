import type { Cluster, Redis } from 'ioredis';
import { BrokerError } from './errors.js';
import type { RedisClient } from './redis-connection.js';
import { keySlot } from './redis-slot.js';

/** Longest wait, with `?wait=N`, for replicas to acknowledge an append before the publish fails. @default 1000 */
export const REDIS_WAIT_TIMEOUT_MS = 1000;

/**
 * `?wait=N`: an append is acknowledged once N replicas have it. WAIT counts every write sent before it on
 * the connection it runs on, so the appends whose replies arrive together share one WAIT (one per
 * connection and batch, not one per publish), and on a cluster it runs on the cluster client's own
 * connection to the master of the append's slot.
 */
export class ReplicaWaits {
  /** Per connection, the WAIT the appends answered in this turn of the event loop join. */
  private readonly next = new Map<Redis | Cluster, Promise<number>>();

  constructor(
    private readonly commands: RedisClient,
    private readonly replicas: number,
  ) {}

  /** Resolves once `replicas` replicas acknowledged an append to `key`'s slot that Redis already answered. */
  async after(key: string): Promise<void> {
    const connection = this.connectionOf(key);
    let waiting = connection && this.next.get(connection);
    if (connection && !waiting) {
      // Sent once the appends answered in this turn of the event loop have all joined.
      waiting = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
        this.next.delete(connection);
        return (connection as Redis).wait(this.replicas, REDIS_WAIT_TIMEOUT_MS);
      });
      this.next.set(connection, waiting);
    }
    const acknowledged = waiting ? await waiting : 0;
    if (acknowledged < this.replicas) {
      throw new BrokerError(
        'unavailable',
        `redis: ${acknowledged} of ${this.replicas} replicas acknowledged the append within ${REDIS_WAIT_TIMEOUT_MS} ms (it is stored on the master; retry with the same idempotency key)`,
      );
    }
  }

  /** The connection that ran the append: the one server's, or the cluster client's to the slot's master. */
  private connectionOf(key: string): Redis | Cluster | undefined {
    if (!('slots' in this.commands)) return this.commands;
    const owner = this.commands.slots[keySlot(key)]?.[0];
    return this.commands.nodes('master').find((node) => `${node.options.host}:${node.options.port}` === owner);
  }
}
