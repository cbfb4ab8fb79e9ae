import { simulateSkew, type SimulateSkewOptions } from './capacity/partition-skew.js';
import { simulateShardSkew, type SimulateShardSkewOptions } from './capacity/shard-skew.js';
import { renderShardSkewTable, renderSkewTable } from './capacity/skew-table.js';

// `pnpm bench:simulate`: Zipf topic popularity hashed onto partitions by FNV-1a-32 mod P (the broker's own
// `partitionOf` mapping, from @ssehub/protocol), then partitions dealt over broker shards, printed as the
// markdown tables docs/SCALING.md quotes. Deterministic: fixed seeds, exact shares, no timing.

const SEEDS = Array.from({ length: 20 }, (_, i) => i + 1);

/** The partition-level configurations docs/SCALING.md quotes. */
const SKEW_PLAN: SimulateSkewOptions = { exponents: [0.8, 1.0, 1.2], topicCounts: [10_000, 100_000], partitionCounts: [1, 3, 8, 16, 64], seeds: SEEDS };

/** The shard-level ones: S7's 3-shard clusters at P = 8 and 64, and larger clusters at P = 64. */
const SHARD_PLAN: SimulateShardSkewOptions = {
  exponents: [0.8, 1.0, 1.2],
  topics: 100_000,
  layouts: [{ partitions: 8, shards: 3 }, { partitions: 64, shards: 3 }, { partitions: 64, shards: 6 }, { partitions: 64, shards: 12 }],
  seeds: SEEDS,
};

const write = (text: string): void => void process.stdout.write(text);
write(
  `Hottest partition and hottest topic under Zipf(s) popularity, topics \`rooms/<i>\` on FNV-1a-32 mod P, ` +
    `${SEEDS.length} placements of the ranks (seeds 1-${SEEDS.length}); deliveries = publishes × subscribers, both ∝ popularity.\n\n`,
);
write(renderSkewTable(simulateSkew(SKEW_PLAN)));
write(`\nBusiest broker shard when the P partitions are dealt evenly over S shards (partition p on shard p mod S), same placements.\n\n`);
write(renderShardSkewTable(simulateShardSkew(SHARD_PLAN)));
