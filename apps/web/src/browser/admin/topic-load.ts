import type { AdminNode } from '@ssehub/protocol';

/** One topic's open streams across the deployment. */
export interface TopicLoad {
  readonly topic: string;
  readonly connections: number;
  /** Nodes holding streams of it, by name. */
  readonly nodes: readonly string[];
}

/** The topics of every node summed up, busiest first (ties by name). */
export function topicsAcrossNodes(nodes: readonly AdminNode[]): TopicLoad[] {
  const byTopic = new Map<string, { connections: number; nodes: string[] }>();
  for (const node of nodes) {
    for (const { topic, connections } of node.topics) {
      const entry = byTopic.get(topic) ?? { connections: 0, nodes: [] };
      entry.connections += connections;
      entry.nodes.push(node.node);
      byTopic.set(topic, entry);
    }
  }
  return [...byTopic]
    .map(([topic, entry]) => ({ topic, connections: entry.connections, nodes: entry.nodes.sort() }))
    .sort((a, b) => b.connections - a.connections || a.topic.localeCompare(b.topic));
}

/** A lag for people: `12 ms`, `1.4 s`, or `–` before the first probe. */
export function formatLag(seconds: number | null): string {
  if (seconds === null) return '–';
  return seconds < 1 ? `${Math.round(seconds * 1000)} ms` : `${seconds.toFixed(1)} s`;
}

/** How long ago `then` was: `4 s ago`, `3 min ago`, `2 h ago`. */
export function formatAgo(then: number, now: number): string {
  const seconds = Math.max(0, Math.round((now - then) / 1000));
  if (seconds < 120) return `${seconds} s ago`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min ago`;
  return `${Math.round(seconds / 3600)} h ago`;
}
