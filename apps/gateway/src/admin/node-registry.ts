import { randomUUID } from 'node:crypto';
import type { Broker, PresenceClaim } from '@ssehub/broker';
import { AdminNodeSchema, NODES_TOPIC, type AdminNode, type AdminTopicLoad } from '@ssehub/protocol';
import { z } from 'zod';

/** Topics a node reports about itself, busiest first; the rest only counts. @default 100 */
export const MAX_REPORTED_TOPICS = 100;
/** Longest time between two reports of a node. @default 5000 */
const MAX_REFRESH_MS = 5000;
/** Compare-and-set attempts per write (only this node writes its record; a sweep may delete it). */
const MAX_ATTEMPTS = 5;

/** What a node reports: a presence claim (connections, expires) with the admin details alongside. */
const NodeClaimSchema = AdminNodeSchema.omit({ node: true, workers: true, expiresAt: true }).extend({ expires: z.number() });
type NodeClaim = z.infer<typeof NodeClaimSchema> & PresenceClaim;

/** What this node is doing right now. */
export interface NodeSnapshot {
  readonly connections: number;
  readonly topics: ReadonlyMap<string, number>;
  readonly brokerLagSeconds: number | null;
}

/** Options of {@link createNodeRegistry}. */
export interface NodeRegistryOptions {
  readonly broker: Broker;
  readonly nodeId: string;
  /** Seconds a report lives; a node that stops reporting drops out after this. */
  readonly ttlS: number;
  readonly snapshot: () => NodeSnapshot;
  readonly onError: (error: unknown) => void;
}

/** Every gateway of the deployment, as reported in the broker's presence store. */
export interface NodeRegistry {
  list(): Promise<AdminNode[]>;
  /** Writes this node's report now (also done on a timer). */
  report(): Promise<void>;
  /** Stops reporting and removes this node's report. */
  close(): Promise<void>;
}

function busiest(topics: ReadonlyMap<string, number>): AdminTopicLoad[] {
  return [...topics]
    .map(([topic, connections]) => ({ topic, connections }))
    .sort((a, b) => b.connections - a.connections || a.topic.localeCompare(b.topic))
    .slice(0, MAX_REPORTED_TOPICS);
}

/** One node from the claims of its worker processes. */
function merge(node: string, claims: readonly NodeClaim[]): AdminNode {
  const topics = new Map<string, number>();
  for (const claim of claims) for (const { topic, connections } of claim.topics) topics.set(topic, (topics.get(topic) ?? 0) + connections);
  const lags = claims.flatMap((claim) => (claim.brokerLagSeconds === null ? [] : [claim.brokerLagSeconds]));
  return {
    node,
    workers: claims.length,
    connections: claims.reduce((sum, claim) => sum + claim.connections, 0),
    topics: busiest(topics),
    // Each worker reports its busiest topics only, so across workers this is a lower bound.
    topicCount: Math.max(topics.size, ...claims.map((claim) => claim.topicCount)),
    brokerLagSeconds: lags.length > 0 ? Math.max(...lags) : null,
    startedAt: Math.min(...claims.map((claim) => claim.startedAt)),
    updatedAt: Math.max(...claims.map((claim) => claim.updatedAt)),
    expiresAt: Math.max(...claims.map((claim) => claim.expires)),
  };
}

/**
 * Registers this gateway under the reserved topic `_ssehub/nodes` of the presence store, one record per
 * node with a TTL, refreshed on a timer, so any node can list all of them. Each process's report is a
 * presence claim, so the presence trackers' sweep removes the report of a node that died.
 */
export function createNodeRegistry(options: NodeRegistryOptions): NodeRegistry {
  const { broker, nodeId } = options;
  const ttlMs = options.ttlS * 1000;
  const startedAt = Date.now();
  // Worker processes of one node (WORKERS > 1) share its id; each reports its own claim in the record.
  const processKey = `${nodeId}#${randomUUID().slice(0, 8)}`;
  let closed = false;

  /** Replaces this process's claim in the node's record, keeping its other workers' live claims. */
  async function write(claim: NodeClaim | null): Promise<void> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const { record, revision } = await broker.presence.get(NODES_TOPIC, nodeId);
      const now = Date.now();
      const claims: Record<string, PresenceClaim> = {};
      for (const [key, other] of Object.entries(record?.nodes ?? {})) if (key !== processKey && other.expires > now) claims[key] = other;
      if (claim) claims[processKey] = claim;
      const next = Object.keys(claims).length > 0 ? { nodes: claims } : null;
      if (await broker.presence.put(NODES_TOPIC, nodeId, next, revision)) return;
    }
    throw new Error(`the report of node ${nodeId} kept changing under ${MAX_ATTEMPTS} attempts`);
  }

  function report(): Promise<void> {
    const { connections, topics, brokerLagSeconds } = options.snapshot();
    const now = Date.now();
    const claim: NodeClaim = {
      connections,
      topics: busiest(topics),
      topicCount: topics.size,
      brokerLagSeconds,
      startedAt,
      updatedAt: now,
      expires: now + ttlMs,
    };
    return write(claim);
  }

  let busy = false;
  const timer = setInterval(() => {
    if (busy || closed) return;
    busy = true;
    report()
      .catch(options.onError)
      .finally(() => (busy = false));
  }, Math.min(ttlMs / 3, MAX_REFRESH_MS));
  timer.unref();
  void report().catch(options.onError);

  async function list(): Promise<AdminNode[]> {
    const now = Date.now();
    const nodes: AdminNode[] = [];
    for (const node of await broker.presence.users(NODES_TOPIC)) {
      const { record } = await broker.presence.get(NODES_TOPIC, node);
      const claims = Object.values(record?.nodes ?? {})
        .map((claim) => NodeClaimSchema.safeParse(claim))
        .flatMap((parsed) => (parsed.success && parsed.data.expires > now ? [parsed.data] : []));
      if (claims.length > 0) nodes.push(merge(node, claims));
    }
    return nodes.sort((a, b) => a.node.localeCompare(b.node));
  }

  return {
    list,
    report,
    async close() {
      closed = true;
      clearInterval(timer);
      await write(null);
    },
  };
}
