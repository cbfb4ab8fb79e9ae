import { LOG_DEPLOYMENTS, type LogDeployment } from './targets/broker-deployment.js';

/** Scenarios `--only` can pick. */
export const SCENARIOS = ['S1', 'S2', 'S3', 'S4', 'S5', 'S6', 'S7'] as const;
/** One scenario name. */
export type Scenario = (typeof SCENARIOS)[number];

/** What `pnpm bench -- ...` asked for. */
export interface BenchOptions {
  /** Fewer and shorter steps, 10,000 idle connections only: about 4 minutes instead of 15. */
  readonly quick: boolean;
  readonly scenarios: readonly Scenario[];
  /** Skip the Nchan runs (no nginx needed). */
  readonly nchan: boolean;
  /** Record a V8 CPU profile of the S1 gateway and summarise where its time goes. */
  readonly profile: boolean;
  /** CPU the server under test is pinned to, and CPUs of the load generators and publishers. */
  readonly serverCpus: string;
  readonly clientCpus: string;
  /** `--idle=20000,50000`: S2 connection counts instead of the plan's. */
  readonly idle?: readonly number[];
  /** `--users=1000`: S5 subscribers (one topic each) instead of the plan's. */
  readonly users?: number;
  /** `--rates=500,2000`: S5 publish rates instead of the plan's. */
  readonly rates?: readonly number[];
  /** `--deployments=redis-cluster,nats-cluster`: S7's broker deployments instead of the plan's. */
  readonly deployments?: readonly LogDeployment[];
}

const USAGE = `usage: pnpm bench [-- --quick] [--only=S1,S2,S3,S4,S5,S6,S7] [--no-nchan] [--profile] [--idle=10000,50000] [--users=5000] [--rates=500,1000] [--deployments=${LOG_DEPLOYMENTS.join(',')}]`;

/** Parses the command line; unknown flags stop with the usage line. */
export function parseOptions(argv: readonly string[]): BenchOptions {
  let quick = false;
  let nchan = true;
  let profile = false;
  let scenarios: Scenario[] = [...SCENARIOS];
  let idle: number[] | undefined;
  let users: number | undefined;
  let rates: number[] | undefined;
  let deployments: LogDeployment[] | undefined;
  for (const arg of argv) {
    if (arg === '--') continue; // pnpm passes it through
    else if (arg === '--quick') quick = true;
    else if (arg === '--no-nchan') nchan = false;
    else if (arg === '--profile') profile = true;
    else if (arg.startsWith('--only=')) {
      const picked = arg.slice(7).toUpperCase().split(',');
      const unknown = picked.filter((name) => !(SCENARIOS as readonly string[]).includes(name));
      if (unknown.length > 0) throw new Error(`unknown scenario ${unknown.join(', ')}\n${USAGE}`);
      scenarios = picked as Scenario[];
    } else if (arg.startsWith('--idle=')) {
      idle = arg.slice(7).split(',').map(Number);
      if (idle.some((count) => !Number.isInteger(count) || count < 1)) throw new Error(`--idle takes connection counts\n${USAGE}`);
    } else if (arg.startsWith('--users=')) {
      users = Number(arg.slice(8));
      if (!Number.isInteger(users) || users < 1) throw new Error(`--users takes a subscriber count\n${USAGE}`);
    } else if (arg.startsWith('--rates=')) {
      rates = arg.slice(8).split(',').map(Number);
      if (rates.some((rate) => !Number.isInteger(rate) || rate < 1)) throw new Error(`--rates takes publishes per second\n${USAGE}`);
    } else if (arg.startsWith('--deployments=')) {
      deployments = arg.slice(14).split(',') as LogDeployment[];
      const unknown = deployments.filter((name) => !LOG_DEPLOYMENTS.includes(name));
      if (unknown.length > 0) throw new Error(`unknown deployment ${unknown.join(', ')}\n${USAGE}`);
    } else throw new Error(`unknown option ${arg}\n${USAGE}`);
  }
  return { quick, scenarios, nchan, profile, serverCpus: '0', clientCpus: '1', ...(idle ? { idle } : {}), ...(users ? { users } : {}), ...(rates ? { rates } : {}), ...(deployments ? { deployments } : {}) };
}
