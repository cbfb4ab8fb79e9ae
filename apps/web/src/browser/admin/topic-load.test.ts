import type { AdminNode } from '@ssehub/protocol';
import { describe, expect, it } from 'vitest';
import { formatAgo, formatLag, topicsAcrossNodes } from './topic-load.js';

const node = (name: string, topics: [string, number][]): AdminNode => ({
  node: name,
  workers: 1,
  connections: topics.reduce((sum, [, n]) => sum + n, 0),
  topics: topics.map(([topic, connections]) => ({ topic, connections })),
  topicCount: topics.length,
  brokerLagSeconds: null,
  startedAt: 0,
  updatedAt: 0,
  expiresAt: 0,
});

describe('the admin view\'s topic summary', () => {
  it('sums each topic over the nodes, busiest first', () => {
    const topics = topicsAcrossNodes([node('gw-b', [['rooms/a', 2], ['rooms/b', 1]]), node('gw-a', [['rooms/a', 1], ['rooms/c', 3]])]);
    expect(topics).toEqual([
      { topic: 'rooms/a', connections: 3, nodes: ['gw-a', 'gw-b'] },
      { topic: 'rooms/c', connections: 3, nodes: ['gw-a'] },
      { topic: 'rooms/b', connections: 1, nodes: ['gw-b'] },
    ]);
  });

  it('writes lags and ages for people', () => {
    expect(formatLag(null)).toBe('–');
    expect(formatLag(0.0123)).toBe('12 ms');
    expect(formatLag(1.44)).toBe('1.4 s');
    expect(formatAgo(0, 4_000)).toBe('4 s ago');
    expect(formatAgo(0, 180_000)).toBe('3 min ago');
    expect(formatAgo(0, 3 * 3_600_000)).toBe('3 h ago');
  });
});
