import type { ShareSpread, SkewResult } from './partition-skew.js';
import type { ShardSkewResult } from './shard-skew.js';

const pct = (share: number): string => `${(share * 100).toFixed(share < 0.1 ? 2 : 1)}%`;
const times = (share: number, balanced: number): string => `${(share / balanced).toFixed(2)}×`;
const spread = (shares: ShareSpread): string => (shares.median === shares.max ? pct(shares.max) : `${pct(shares.median)} (max ${pct(shares.max)})`);

/** The simulation's results as one markdown table, a row per (s, topics, partitions). */
export function renderSkewTable(results: readonly SkewResult[]): string {
  const lines = [
    '| s | topics | P | balanced 1/P | hottest partition, publishes: median (max) | × balanced (median) | hottest partition, deliveries: median (max) | hottest topic, publishes | hottest topic, deliveries |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const row of results) {
    lines.push(
      `| ${row.s} | ${row.topics.toLocaleString('en-US')} | ${row.partitions} | ${pct(row.balanced)} | ${spread(row.hottestPartitionPublishes)} | ` +
        `${times(row.hottestPartitionPublishes.median, row.balanced)} | ${spread(row.hottestPartitionDeliveries)} | ` +
        `${pct(row.hottestTopicPublishes)} | ${pct(row.hottestTopicDeliveries)} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** The shard-level results as one markdown table, a row per (s, P, S). */
export function renderShardSkewTable(results: readonly ShardSkewResult[]): string {
  const lines = ['| s | topics | P | shards S | balanced 1/S | busiest shard, publishes: median (max) | × balanced (median) |', '| --- | --- | --- | --- | --- | --- | --- |'];
  for (const row of results) {
    lines.push(
      `| ${row.s} | ${row.topics.toLocaleString('en-US')} | ${row.partitions} | ${row.shards} | ${pct(row.balanced)} | ${spread(row.busiestShard)} | ${times(row.busiestShard.median, row.balanced)} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}
