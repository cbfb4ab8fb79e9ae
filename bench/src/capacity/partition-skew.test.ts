import { describe, expect, it } from 'vitest';
import { fnv1a32, partitionOf } from '@ssehub/protocol';
import { partitionShares, simulateSkew, zipfWeights } from './partition-skew.js';
import { shardShares, simulateShardSkew } from './shard-skew.js';
import { seededRandom, shuffledIndices } from './seeded-random.js';

describe('fnv1a32 and partitionOf from @ssehub/protocol, as the simulation uses them', () => {
  it('matches the published FNV-1a 32-bit test vectors', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });

  it('hashes the UTF-8 bytes of a topic, not its UTF-16 code units', () => {
    // "é" is 0xc3 0xa9 in UTF-8: two rounds of the hash, not one round of 0xe9.
    const twoBytes = Math.imul(Math.imul(0x811c9dc5 ^ 0xc3, 0x01000193) ^ 0xa9, 0x01000193) >>> 0;
    expect(fnv1a32('é')).toBe(twoBytes);
  });

  it('puts a topic in a partition below the partition count, and every topic in partition 0 of 1', () => {
    for (const topic of ['', 'a', 'rooms/lobby', 'users/42/notifications']) {
      expect(partitionOf(topic, 1)).toBe(0);
      expect(partitionOf(topic, 64)).toBeLessThan(64);
      expect(partitionOf(topic, 8)).toBe(fnv1a32(topic) % 8);
    }
  });
});

describe('the seeded placement', () => {
  it('is the same for the same seed and a permutation of every rank', () => {
    const once = shuffledIndices(1000, seededRandom(7));
    expect(shuffledIndices(1000, seededRandom(7))).toEqual(once);
    expect([...once].sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(shuffledIndices(1000, seededRandom(8))).not.toEqual(once);
  });
});

describe('simulateSkew', () => {
  const results = simulateSkew({ exponents: [0.8, 1.2], topicCounts: [2000], partitionCounts: [1, 3, 8, 64], seeds: [1, 2, 3] });

  it('gives Zipf weights that sum to 1 and fall with rank', () => {
    const weights = zipfWeights(500, 1);
    expect(weights.reduce((sum, w) => sum + w, 0)).toBeCloseTo(1, 12);
    for (let i = 1; i < weights.length; i++) expect(weights[i]!).toBeLessThan(weights[i - 1]!);
  });

  it('splits all the load over the partitions: their shares sum to 1', () => {
    const weights = zipfWeights(2000, 1);
    const partitionOfTopic = Uint32Array.from({ length: 2000 }, (_, i) => fnv1a32(`rooms/${i}`) % 8);
    const shares = partitionShares((topic) => weights[topic]!, partitionOfTopic, 8);
    expect(shares.reduce((sum, share) => sum + share, 0)).toBeCloseTo(1, 12);
  });

  it('puts everything on the one partition when P = 1', () => {
    for (const row of results.filter((r) => r.partitions === 1)) {
      expect(row.hottestPartitionPublishes.max).toBeCloseTo(1, 12);
      expect(row.hottestPartitionDeliveries.median).toBeCloseTo(1, 12);
    }
  });

  it('never puts less than 1/P nor less than the hottest topic on the hottest partition', () => {
    for (const row of results) {
      expect(row.hottestPartitionPublishes.median).toBeGreaterThanOrEqual(row.balanced - 1e-12);
      expect(row.hottestPartitionPublishes.median).toBeGreaterThanOrEqual(row.hottestTopicPublishes - 1e-12);
      expect(row.hottestPartitionDeliveries.median).toBeGreaterThanOrEqual(row.hottestTopicDeliveries - 1e-12);
      expect(row.hottestPartitionPublishes.max).toBeGreaterThanOrEqual(row.hottestPartitionPublishes.median);
    }
  });

  it('skews more as s grows', () => {
    const at = (s: number) => results.find((r) => r.s === s && r.partitions === 8)!;
    expect(at(1.2).hottestTopicPublishes).toBeGreaterThan(at(0.8).hottestTopicPublishes);
    expect(at(1.2).hottestPartitionPublishes.median).toBeGreaterThan(at(0.8).hottestPartitionPublishes.median);
  });

  it('answers the same numbers on every run', () => {
    expect(simulateSkew({ exponents: [0.8, 1.2], topicCounts: [2000], partitionCounts: [1, 3, 8, 64], seeds: [1, 2, 3] })).toEqual(results);
  });
});

describe('simulateShardSkew', () => {
  const layouts = [{ partitions: 8, shards: 1 }, { partitions: 8, shards: 3 }, { partitions: 64, shards: 6 }];
  const results = simulateShardSkew({ exponents: [1], topics: 2000, layouts, seeds: [1, 2, 3] });

  it('deals every partition to a shard: shard shares sum to 1', () => {
    const shares = shardShares(Float64Array.from([0.5, 0.2, 0.2, 0.1]), 3);
    expect([...shares]).toEqual([0.6, 0.2, 0.2]);
  });

  it('puts everything on the one shard when S = 1, and never less than 1/S on the busiest', () => {
    expect(results[0]!.busiestShard.max).toBeCloseTo(1, 12);
    for (const row of results) expect(row.busiestShard.median).toBeGreaterThanOrEqual(row.balanced - 1e-12);
  });
});
