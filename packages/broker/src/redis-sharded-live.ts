import type { Cluster, Redis } from 'ioredis';
import { BrokerError } from './errors.js';
import { toBrokerError, whenReady } from './redis-connection.js';
import { LiveRecovery, type RedisLiveFeed, type RedisLiveHandlers } from './redis-live.js';
import { keySlot } from './redis-slot.js';

/**
 * The live feed on a Redis Cluster: sharded pub/sub, so a message travels only within the shard that owns
 * its channel's slot instead of over the whole cluster bus. One subscriber connection per master that
 * owns a listened channel, SSUBSCRIBE per channel there. When one of them closes (its master died, a
 * replica takes over) the feed holds live messages, asks the cluster who owns each slot now,
 * resubscribes every channel on its owner and asks for a resync, as on a single server.
 */
export class RedisShardedFeed implements RedisLiveFeed {
  private readonly listened = new Set<string>();
  /** One subscriber connection per node, by `host:port` as the cluster's slot map names it. */
  private readonly nodes = new Map<string, Redis>();
  /** The node each channel is subscribed on now. */
  private readonly subscribedOn = new Map<string, string>();
  private readonly recovery: LiveRecovery;
  private closed = false;

  constructor(
    private readonly cluster: Cluster,
    private readonly openNode: (host: string, port: number) => Redis,
    handlers: RedisLiveHandlers,
  ) {
    this.recovery = new LiveRecovery(handlers);
  }

  /**
   * Opens the connection to every master up front, so a first listen costs one round trip, not a
   * connection set-up while publishes it should see are already under way.
   */
  async start(): Promise<void> {
    const masters = new Set(this.cluster.slots.map((owners) => owners[0]).filter((node) => node !== undefined));
    await Promise.all([...masters].map((node) => this.connection(node)));
  }

  async listen(channel: string): Promise<void> {
    this.listened.add(channel);
    try {
      await this.subscribe(this.ownerOf(channel), [channel]);
    } catch (error) {
      this.listened.delete(channel);
      throw toBrokerError(error);
    }
  }

  async unlisten(channel: string): Promise<void> {
    this.listened.delete(channel);
    const node = this.subscribedOn.get(channel);
    this.subscribedOn.delete(channel);
    const client = node === undefined ? undefined : this.nodes.get(node);
    if (client?.status === 'ready') await client.sunsubscribe(channel);
  }

  close(): void {
    this.closed = true;
    this.recovery.close();
    for (const client of this.nodes.values()) client.disconnect();
    this.nodes.clear();
  }

  /** The node that serves a channel's slot, as the cluster client last learned it. */
  private ownerOf(channel: string): string {
    const owner = this.cluster.slots[keySlot(channel)]?.[0];
    if (owner === undefined) throw new BrokerError('unavailable', `no redis cluster node serves the slot of ${channel}`);
    return owner;
  }

  /** The subscriber connection to a node, opened on first use. */
  private async connection(node: string): Promise<Redis> {
    let client = this.nodes.get(node);
    if (client === undefined) {
      const colon = node.lastIndexOf(':');
      const opened = this.openNode(node.slice(0, colon), Number(node.slice(colon + 1)));
      this.nodes.set(node, opened);
      opened.on('smessage', (channel: string, message: string) => this.recovery.message(channel, message));
      opened.once('close', () => this.lost(node, opened));
      opened.connect().catch(() => {
        // whenReady below rejects, and 'close' starts the recovery.
      });
      client = opened;
    }
    await whenReady(client);
    return client;
  }

  /** A node's connection closed: what was subscribed there may miss messages, so recover the whole feed. */
  private lost(node: string, client: Redis): void {
    if (this.nodes.get(node) === client) this.nodes.delete(node);
    if (this.closed) return;
    for (const [channel, on] of this.subscribedOn) if (on === node) this.subscribedOn.delete(channel);
    void this.recovery.recover(() => this.resubscribe());
  }

  /** Subscribes channels of one slot on a node; a channel subscribed elsewhere before is dropped there. */
  private async subscribe(node: string, channels: readonly string[]): Promise<void> {
    const client = await this.connection(node);
    await client.ssubscribe(...channels);
    for (const channel of channels) {
      const before = this.subscribedOn.get(channel);
      this.subscribedOn.set(channel, node);
      if (before !== undefined && before !== node) this.nodes.get(before)?.sunsubscribe(channel).catch(() => {});
    }
  }

  /** Every listened channel on the node that owns its slot now (the slot map read afresh). */
  private async resubscribe(): Promise<void> {
    await new Promise<void>((resolve, reject) => this.cluster.refreshSlotsCache((error) => (error ? reject(error) : resolve())));
    const bySlot = new Map<number, string[]>();
    for (const channel of this.listened) {
      const slot = keySlot(channel);
      const channels = bySlot.get(slot);
      if (channels) channels.push(channel);
      else bySlot.set(slot, [channel]);
    }
    // SSUBSCRIBE takes channels of one slot at a time.
    await Promise.all([...bySlot.values()].map((channels) => this.subscribe(this.ownerOf(channels[0]!), channels)));
  }
}
