import { fnv1a32 } from '@ssehub/protocol';
import { SIMULATED_TOPIC, partitionShares, shareSpread, zipfWeights, type ShareSpread } from './partition-skew.js';
import { seededRandom, shuffledIndices } from './seeded-random.js';

/** P partitions dealt over S broker shards (Redis masters, NATS servers leading streams). */
export interface ShardLayout {
  readonly partitions: number;
  readonly shards: number;
}

/** What the busiest shard carries under one Zipf exponent and layout. */
export interface ShardSkewResult extends ShardLayout {
  readonly s: number;
  readonly topics: number;
  /** 1/S: each shard's share if the load were even. */
  readonly balanced: number;
  /** The busiest shard's share of all publishes, over the placements. */
  readonly busiestShard: ShareSpread;
}

/** Options of {@link simulateShardSkew}. */
export interface SimulateShardSkewOptions {
  readonly exponents: readonly number[];
  readonly topics: number;
  readonly layouts: readonly ShardLayout[];
  readonly seeds: readonly number[];
}

/** Each shard's share when partition p sits on shard p mod S: partitions dealt as evenly as they go. */
export function shardShares(partitionShare: Float64Array, shards: number): Float64Array {
  const shares = new Float64Array(shards);
  partitionShare.forEach((share, partition) => (shares[partition % shards]! += share));
  return shares;
}

/**
 * The busiest broker shard's share of publishes, with topics of Zipf(s) popularity on P partitions
 * (FNV-1a-32 mod P) dealt evenly over S shards: what a shard must be sized for, beyond 1/S.
 */
export function simulateShardSkew(options: SimulateShardSkewOptions): ShardSkewResult[] {
  const hashes = Uint32Array.from({ length: options.topics }, (_, i) => fnv1a32(SIMULATED_TOPIC(i)));
  const placements = options.seeds.map((seed) => shuffledIndices(options.topics, seededRandom(seed)));
  const results: ShardSkewResult[] = [];
  for (const s of options.exponents) {
    const publishes = zipfWeights(options.topics, s);
    for (const { partitions, shards } of options.layouts) {
      const partitionOfTopic = hashes.map((hash) => hash % partitions);
      const busiest = placements.map((rankOf) => {
        const byPartition = partitionShares((topic) => publishes[rankOf[topic]!]!, partitionOfTopic, partitions);
        return Math.max(...shardShares(byPartition, shards));
      });
      results.push({ s, topics: options.topics, partitions, shards, balanced: 1 / shards, busiestShard: shareSpread(busiest) });
    }
  }
  return results;
}
