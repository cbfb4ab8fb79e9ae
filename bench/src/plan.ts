import type { LogDeployment } from './targets/broker-deployment.js';
import type { PartitionedLogOptions } from './scenarios/partitioned-log.js';

/** Sizes and durations of one bench run. */
export interface BenchPlan {
  /** S1: subscriber counts, each with the publish rates tried in turn. */
  readonly fanout: readonly { readonly subscribers: number; readonly rates: readonly number[] }[];
  readonly stepMs: number;
  /** S2: idle connection counts, and how long CPU at rest is measured (one heartbeat interval at least). */
  readonly idle: readonly number[];
  readonly restMs: number;
  /** S2: how long idle connections settle before CPU at rest is measured (see `IdleOptions.settleMs`). */
  readonly idleSettleMs: number;
  /** S3: personal topics. */
  readonly personal: { readonly subscribers: number; readonly rate: number; readonly durationMs: number };
  /** S4: one topic through two gateways and a broker. */
  readonly crossNode: { readonly subscribers: number; readonly rates: readonly number[] };
  /** S5: subscribers on personal topics, and the HTTP publish rates tried in turn. */
  readonly notifications: { readonly subscribers: number; readonly rates: readonly number[] };
  /** S6: streams over 3 gateways behind nginx, publishes/s on their own topics and on the shared one, then one gateway killed. */
  readonly storm: { readonly streams: number; readonly personalRate: number; readonly sharedRate: number; readonly beforeMs: number; readonly stormMaxMs: number };
  /** S7: broker deployments, partition counts, topics, closed-loop clients and publishes in flight per client, warm-up and step length. */
  readonly partitionedLog: Omit<PartitionedLogOptions, 'clientCpus'> & { readonly deployments: readonly LogDeployment[] };
}

/** S7's deployments and partition counts, the same in both plans: issue 15 asks for P = 1, 3 and 8 on each. */
const PARTITIONED_LOG = { deployments: ['redis', 'nats', 'redis-cluster', 'nats-cluster'], partitions: [1, 3, 8], topics: 1000, clients: 2, concurrency: 64 } as const;

/** The full run: about 10-12 minutes on 2 cores. */
export const FULL_PLAN: BenchPlan = {
  fanout: [
    { subscribers: 1000, rates: [100, 200, 500, 1000, 2000, 5000, 10_000] },
    { subscribers: 5000, rates: [20, 50, 100, 200, 500, 1000, 2000] },
  ],
  stepMs: 5000,
  idle: [10_000, 50_000],
  restMs: 15_000,
  idleSettleMs: 60_000,
  personal: { subscribers: 10_000, rate: 5000, durationMs: 10_000 },
  crossNode: { subscribers: 1000, rates: [100, 200, 500, 1000, 2000] },
  notifications: { subscribers: 5000, rates: [500, 1000, 2000, 3000, 5000] },
  storm: { streams: 20_000, personalRate: 1000, sharedRate: 1, beforeMs: 10_000, stormMaxMs: 180_000 },
  partitionedLog: { ...PARTITIONED_LOG, warmupMs: 2000, stepMs: 10_000 },
};

/** `--quick`: a smoke run of every scenario in a few minutes; its figures are rougher. */
export const QUICK_PLAN: BenchPlan = {
  fanout: [
    { subscribers: 1000, rates: [100, 500, 2000] },
    { subscribers: 5000, rates: [50, 200] },
  ],
  stepMs: 3000,
  idle: [10_000],
  restMs: 5000,
  idleSettleMs: 20_000,
  personal: { subscribers: 10_000, rate: 5000, durationMs: 4000 },
  crossNode: { subscribers: 1000, rates: [100, 500] },
  notifications: { subscribers: 5000, rates: [500, 1000, 2000, 3000] },
  storm: { streams: 3000, personalRate: 300, sharedRate: 2, beforeMs: 5000, stormMaxMs: 60_000 },
  partitionedLog: { ...PARTITIONED_LOG, warmupMs: 500, stepMs: 2500 },
};
