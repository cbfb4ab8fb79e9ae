import { randomUUID } from 'node:crypto';
import { compareAndSet, startRepeatingTask, type Broker } from '@ssehub/broker';
import { AdminNodeSchema, NODES_TOPIC, type AdminNode, type AdminTopicLoad } from '@ssehub/protocol';
import { z } from 'zod';

/** Topics a node reports about itself, busiest first; the rest only counts. @default 100 */
export const MAX_REPORTED_TOPICS = 100;
/** Longest time between two reports of a node. @default 5000 */
const MAX_REFRESH_MS = 5000;
/** Compare-and-set attempts per write (only this node's workers write its record; a sweep may delete it). */
const MAX_ATTEMPTS = 5;

/** What one gateway process reports about itself, with the time the report lapses unless refreshed. */
const NodeReportSchema = AdminNodeSchema.omit({ node: true, workers: true });
type NodeReport = z.infer<typeof NodeReportSchema>;

/**
 * One node's record: the reports of its worker processes (WORKERS > 1 share the node's id). `nodes`
 * stays empty: gateways of earlier versions sweep `_ssehub/nodes` as presence and pass over a record
 * with no claims, so a rolling upgrade leaves both kinds alone.
 */
const NodeReportsSchema = z.object({ processes: z.record(z.string(), z.unknown()) });
interface NodeReports {
  readonly processes: Readonly<Record<string, NodeReport>>;
  readonly nodes: Readonly<Record<string, never>>;
}

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

/** Every gateway of the deployment, as reported in the broker's record store. */
export interface NodeRegistry {
  list(): Promise<AdminNode[]>;
  /** Writes this node's report now (also done on a timer), and deletes the records of nodes that stopped reporting. */
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

/** The reports of a record still live at `now`; anything unreadable (an older node's format) counts as lapsed. */
function liveReports(record: unknown, now: number): NodeReport[] {
  const parsed = NodeReportsSchema.safeParse(record);
  if (!parsed.success) return [];
  return Object.values(parsed.data.processes)
    .map((report) => NodeReportSchema.safeParse(report))
    .flatMap((report) => (report.success && report.data.expiresAt > now ? [report.data] : []));
}

/** One node from the reports of its worker processes. */
function merge(node: string, reports: readonly NodeReport[]): AdminNode {
  const topics = new Map<string, number>();
  for (const report of reports) for (const { topic, connections } of report.topics) topics.set(topic, (topics.get(topic) ?? 0) + connections);
  const lags = reports.flatMap((report) => (report.brokerLagSeconds === null ? [] : [report.brokerLagSeconds]));
  return {
    node,
    workers: reports.length,
    connections: reports.reduce((sum, report) => sum + report.connections, 0),
    topics: busiest(topics),
    // Each worker reports its busiest topics only, so across workers this is a lower bound.
    topicCount: Math.max(topics.size, ...reports.map((report) => report.topicCount)),
    brokerLagSeconds: lags.length > 0 ? Math.max(...lags) : null,
    startedAt: Math.min(...reports.map((report) => report.startedAt)),
    updatedAt: Math.max(...reports.map((report) => report.updatedAt)),
    expiresAt: Math.max(...reports.map((report) => report.expiresAt)),
  };
}

/**
 * Registers this gateway under the reserved scope `_ssehub/nodes` of the broker's record store, one
 * record per node holding a report per worker process, each with a TTL and refreshed on a timer, so any
 * node can list all of them. Reports are not presence: the presence sweep leaves `_ssehub/` alone, and
 * each registry deletes, on its own timer, the records of nodes whose every report lapsed.
 */
export function createNodeRegistry(options: NodeRegistryOptions): NodeRegistry {
  const { broker, nodeId } = options;
  const ttlMs = options.ttlS * 1000;
  const startedAt = Date.now();
  const processKey = `${nodeId}#${randomUUID().slice(0, 8)}`;

  /** Replaces this process's report in the node's record, keeping its other workers' live reports. */
  async function write(report: NodeReport | null): Promise<void> {
    await compareAndSet<NodeReports>(
      broker.presence,
      NODES_TOPIC,
      nodeId,
      (record, now) => {
        const processes: Record<string, NodeReport> = {};
        for (const [key, other] of Object.entries(record?.processes ?? {})) if (key !== processKey && other.expiresAt > now) processes[key] = other;
        if (report) processes[processKey] = report;
        return Object.keys(processes).length > 0 ? { processes, nodes: {} } : null;
      },
      MAX_ATTEMPTS,
    );
  }

  /**
   * Deletes the record of every other node whose reports all lapsed (a node that died without closing).
   * A record of another shape (a gateway of an earlier version) is its writer's to clean up.
   */
  async function sweep(): Promise<void> {
    const lapsed = (record: unknown, now: number): boolean => NodeReportsSchema.safeParse(record).success && liveReports(record, now).length === 0;
    for (const node of await broker.presence.users(NODES_TOPIC)) {
      if (node === nodeId || !lapsed((await broker.presence.get(NODES_TOPIC, node)).record, Date.now())) continue;
      await compareAndSet<unknown>(broker.presence, NODES_TOPIC, node, (current, now) => (lapsed(current, now) ? null : current), MAX_ATTEMPTS);
    }
  }

  async function report(): Promise<void> {
    const { connections, topics, brokerLagSeconds } = options.snapshot();
    const now = Date.now();
    await write({
      connections,
      topics: busiest(topics),
      topicCount: topics.size,
      brokerLagSeconds,
      startedAt,
      updatedAt: now,
      expiresAt: now + ttlMs,
    });
    await sweep();
  }

  const timer = startRepeatingTask(report, Math.min(ttlMs / 3, MAX_REFRESH_MS), options.onError);
  void report().catch(options.onError);

  async function list(): Promise<AdminNode[]> {
    const now = Date.now();
    const nodes: AdminNode[] = [];
    for (const node of await broker.presence.users(NODES_TOPIC)) {
      const reports = liveReports((await broker.presence.get(NODES_TOPIC, node)).record, now);
      if (reports.length > 0) nodes.push(merge(node, reports));
    }
    return nodes.sort((a, b) => a.node.localeCompare(b.node));
  }

  return {
    list,
    report,
    async close() {
      timer.stop();
      await write(null);
    },
  };
}
