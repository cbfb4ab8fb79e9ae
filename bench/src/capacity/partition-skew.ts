import { fnv1a32 } from '@ssehub/protocol';
import { seededRandom, shuffledIndices } from './seeded-random.js';

/** How topic names of the simulation read: `rooms/0` … `rooms/<N-1>`. */
export const SIMULATED_TOPIC = (index: number): string => `rooms/${index}`;

/** One configuration: Zipf exponent, topic count, partition count. */
export interface SkewCase {
  /** Zipf exponent s: the topic of popularity rank r gets a share ∝ r^-s. */
  readonly s: number;
  readonly topics: number;
  readonly partitions: number;
}

/** A share over the placements simulated (each a different assignment of popularity ranks to topic names). */
export interface ShareSpread {
  readonly median: number;
  readonly max: number;
}

/** What one configuration puts on its hottest partition, and on its hottest topic. */
export interface SkewResult extends SkewCase {
  /** What each partition would carry if the load were even: 1/P. */
  readonly balanced: number;
  /** The hottest partition's share of all publishes. */
  readonly hottestPartitionPublishes: ShareSpread;
  /** The hottest partition's share of all deliveries (publishes × subscribers of each topic). */
  readonly hottestPartitionDeliveries: ShareSpread;
  /** The single hottest topic's share of publishes: a floor no partition count goes below. */
  readonly hottestTopicPublishes: number;
  /** The single hottest topic's share of deliveries. */
  readonly hottestTopicDeliveries: number;
}

/** Zipf weights by rank (index 0 = rank 1), `r^-exponent`, normalised to sum to 1. */
export function zipfWeights(n: number, exponent: number): Float64Array {
  const weights = new Float64Array(n);
  let sum = 0;
  for (let rank = 1; rank <= n; rank++) sum += weights[rank - 1] = rank ** -exponent;
  for (let i = 0; i < n; i++) weights[i]! /= sum;
  return weights;
}

/** Each partition's share: the sum of the weights of the topics it holds. */
export function partitionShares(weightOfTopic: (topic: number) => number, partitionOfTopic: Uint32Array, partitions: number): Float64Array {
  const shares = new Float64Array(partitions);
  for (let topic = 0; topic < partitionOfTopic.length; topic++) shares[partitionOfTopic[topic]!]! += weightOfTopic(topic);
  return shares;
}

/** The median and max of shares over placements. */
export function shareSpread(values: readonly number[]): ShareSpread {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: sorted[Math.floor((sorted.length - 1) / 2)]!, max: sorted[sorted.length - 1]! };
}

/** Options of {@link simulateSkew}. */
export interface SimulateSkewOptions {
  readonly exponents: readonly number[];
  readonly topicCounts: readonly number[];
  readonly partitionCounts: readonly number[];
  /** Seeds of the placements: each shuffles which topic name gets which popularity rank. */
  readonly seeds: readonly number[];
}

/**
 * Topics with Zipf(s) popularity hashed onto P partitions by FNV-1a-32 mod P. Publishes of a topic ∝
 * its popularity; its subscribers ∝ its popularity too (the popular topic is the widely read one), so
 * its deliveries ∝ popularity². Shares are exact expectations for each placement: no sampling, no timing.
 */
export function simulateSkew(options: SimulateSkewOptions): SkewResult[] {
  const results: SkewResult[] = [];
  for (const topics of options.topicCounts) {
    const hashes = Uint32Array.from({ length: topics }, (_, i) => fnv1a32(SIMULATED_TOPIC(i)));
    const placements = options.seeds.map((seed) => shuffledIndices(topics, seededRandom(seed)));
    const partitionsOf = new Map(options.partitionCounts.map((p) => [p, hashes.map((hash) => hash % p)] as const));
    for (const s of options.exponents) {
      const publishes = zipfWeights(topics, s);
      const deliveries = zipfWeights(topics, 2 * s);
      for (const partitions of options.partitionCounts) {
        const partitionOfTopic = partitionsOf.get(partitions)!;
        const hottest = (weights: Float64Array): number[] =>
          placements.map((rankOf) => Math.max(...partitionShares((topic) => weights[rankOf[topic]!]!, partitionOfTopic, partitions)));
        results.push({
          s,
          topics,
          partitions,
          balanced: 1 / partitions,
          hottestPartitionPublishes: shareSpread(hottest(publishes)),
          hottestPartitionDeliveries: shareSpread(hottest(deliveries)),
          hottestTopicPublishes: publishes[0]!,
          hottestTopicDeliveries: deliveries[0]!,
        });
      }
    }
  }
  return results;
}
