import { simulateSkew, type SimulateSkewOptions } from './capacity/partition-skew.js';
import { renderSkewTable } from './capacity/skew-table.js';

// `pnpm bench:simulate`: Zipf topic popularity hashed onto partitions by FNV-1a-32 mod P (the broker's own
// `partitionOf` mapping, from @ssehub/protocol), printed as the markdown table docs/SCALING.md quotes.
// Deterministic: fixed seeds, exact shares, no timing.

/** The configurations docs/SCALING.md quotes. */
const SKEW_PLAN: SimulateSkewOptions = {
  exponents: [0.8, 1.0, 1.2],
  topicCounts: [10_000, 100_000],
  partitionCounts: [1, 3, 8, 16, 64],
  seeds: Array.from({ length: 20 }, (_, i) => i + 1),
};

process.stdout.write(
  `Hottest partition and hottest topic under Zipf(s) popularity, topics \`rooms/<i>\` on FNV-1a-32 mod P, ` +
    `${SKEW_PLAN.seeds.length} placements of the ranks (seeds 1-${SKEW_PLAN.seeds.length}); deliveries = publishes × subscribers, both ∝ popularity.\n\n`,
);
process.stdout.write(renderSkewTable(simulateSkew(SKEW_PLAN)));
