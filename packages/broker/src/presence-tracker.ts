import { isReservedTopic, type PresenceMember } from '@ssehub/protocol';
import type { Broker, PresenceRecord } from './broker.js';
import { compareAndSet } from './compare-and-set.js';
import { startRepeatingTask } from './repeating-task.js';

/** Seconds a node's presence claim lives without a refresh. @default 30 */
export const DEFAULT_PRESENCE_TTL_S = 30;

/** Options of {@link createPresenceTracker}. */
export interface PresenceTrackerOptions {
  readonly broker: Broker;
  readonly nodeId: string;
  /** How long this node's claims live unless refreshed; refreshed every third of it. */
  readonly ttlS?: number;
  /** Told about failed background refreshes (the broker may be down). */
  readonly onError?: (error: unknown) => void;
  /** Refresh on a timer (default); tests turn it off to play a node that died. */
  readonly autoRefresh?: boolean;
}

/** One node's view of presence: counts its own connections, signals joins and leaves to the cluster. */
export interface PresenceTracker {
  /** A connection of `user` on `topic` opened on this node. */
  join(topic: string, user: string): Promise<void>;
  /** That connection closed. */
  leave(topic: string, user: string): Promise<void>;
  /** Who is on a topic across all nodes (expired claims left out). */
  list(topic: string): Promise<PresenceMember[]>;
  /** Refreshes this node's claims and expires those of nodes that stopped refreshing. */
  tick(): Promise<void>;
  /** Stops the refresh timer and withdraws this node's claims (signalling the leaves). */
  close(): Promise<void>;
}

type Claims = PresenceRecord['nodes'];

function liveNodes(record: PresenceRecord | null, now: number): string[] {
  if (!record) return [];
  return Object.entries(record.nodes)
    .filter(([, claim]) => claim.expires > now && claim.connections > 0)
    .map(([node]) => node);
}

/** Creates a tracker over the broker's presence store; starts its refresh timer. */
export function createPresenceTracker(options: PresenceTrackerOptions): PresenceTracker {
  const { broker, nodeId } = options;
  const ttlMs = (options.ttlS ?? DEFAULT_PRESENCE_TTL_S) * 1000;
  const local = new Map<string, { topic: string; user: string; connections: number }>();
  const keyOf = (topic: string, user: string): string => `${topic}\n${user}`;

  /** Rewrites the claims of one (topic, user) with compare-and-set; signals the join or leave it causes. */
  async function update(topic: string, user: string, rewrite: (claims: Claims, now: number) => Claims): Promise<void> {
    const { before, after } = await compareAndSet<PresenceRecord>(broker.presence, topic, user, (record, now) => {
      const claims = rewrite(record?.nodes ?? {}, now);
      return Object.keys(claims).length > 0 ? { nodes: claims } : null;
    });
    // Any claim, even a lapsed one not yet swept, means a join was signalled and no leave yet.
    const wasThere = before !== null && Object.keys(before.nodes).length > 0;
    const isThere = after !== null;
    if (wasThere === isThere) return;
    const type = isThere ? 'presence.join' : 'presence.leave';
    // Live-only: presence is state read from GET /v1/presence/{topic}, never history.
    await broker.signal({ topic, type, data: { user, node: nodeId } });
  }

  /** Writes this node's current connection count for (topic, user), dropping expired claims of others. */
  function writeOwnClaim(topic: string, user: string): Promise<void> {
    return update(topic, user, (claims, now) => {
      const next: Record<string, { connections: number; expires: number }> = {};
      for (const [node, claim] of Object.entries(claims)) if (node !== nodeId && claim.expires > now) next[node] = claim;
      const connections = local.get(keyOf(topic, user))?.connections ?? 0;
      if (connections > 0) next[nodeId] = { connections, expires: now + ttlMs };
      return next;
    });
  }

  async function sweep(): Promise<void> {
    const now = Date.now();
    for (const { topic, user } of await broker.presence.entries()) {
      // ssehub's own records (the gateways' node reports) share the store; their owners clean them up.
      if (isReservedTopic(topic)) continue;
      const { record } = await broker.presence.get(topic, user);
      const expired = record && Object.values(record.nodes).some((claim) => claim.expires <= now);
      if (expired && !local.has(keyOf(topic, user))) {
        await update(topic, user, (claims, at) => Object.fromEntries(Object.entries(claims).filter(([, c]) => c.expires > at)));
      }
    }
  }

  async function tick(): Promise<void> {
    for (const { topic, user } of [...local.values()]) await writeOwnClaim(topic, user);
    await sweep();
  }

  const timer = startRepeatingTask(
    async () => {
      if (options.autoRefresh !== false) await tick();
    },
    ttlMs / 3,
    (error) => options.onError?.(error),
  );

  return {
    async join(topic, user) {
      const key = keyOf(topic, user);
      const entry = local.get(key) ?? { topic, user, connections: 0 };
      entry.connections++;
      local.set(key, entry);
      if (entry.connections === 1) await writeOwnClaim(topic, user);
    },
    async leave(topic, user) {
      const key = keyOf(topic, user);
      const entry = local.get(key);
      if (!entry) return;
      entry.connections--;
      if (entry.connections > 0) return;
      local.delete(key);
      await writeOwnClaim(topic, user);
    },
    async list(topic) {
      const now = Date.now();
      const members: PresenceMember[] = [];
      for (const user of await broker.presence.users(topic)) {
        const { record } = await broker.presence.get(topic, user);
        const nodes = liveNodes(record, now);
        if (nodes.length === 0) continue;
        const connections = nodes.reduce((sum, node) => sum + record!.nodes[node]!.connections, 0);
        members.push({ user, connections, nodes });
      }
      return members.sort((a, b) => a.user.localeCompare(b.user));
    },
    tick,
    async close() {
      timer.stop();
      const entries = [...local.values()];
      local.clear();
      for (const { topic, user } of entries) await writeOwnClaim(topic, user);
    },
  };
}
