import { LoadgenPool } from '../loadgen/loadgen-pool.js';
import type { PublishPlan } from '../publisher/pacer.js';
import type { Target } from '../targets/target.js';
import { measureStep, type StepResult } from './measure-step.js';

/** Options of {@link runFanout}. */
export interface FanoutOptions {
  readonly subscribers: number;
  /** Publish rates tried in turn (events/s); stepping stops at the first with loss or p99 > 1 s. */
  readonly rates: readonly number[];
  readonly stepMs: number;
  readonly loadgenCpus: string;
  /** Several load generator processes, e.g. to spread parsing over more than one core. */
  readonly loadgens?: number;
  /** Profile the server over the measured steps (Node targets) into this file. */
  readonly profileFile?: string;
}

/** One fan-out run: every step, and the best one that kept up. */
export interface FanoutResult {
  readonly target: string;
  readonly subscribers: number;
  readonly steps: StepResult[];
  /** The highest rate delivered with no loss and p99 ≤ 1 s. */
  readonly best: StepResult | undefined;
}

/** p99 above this ends the stepping. @default 1000 */
export const MAX_P99_MS = 1000;
/** The one topic every subscriber of a fan-out run listens to. */
export const FANOUT_TOPIC = 'bench/fanout';

/** True when a step kept up: nothing lost, nobody cut off, p99 within bounds. */
export function keptUp(step: StepResult): boolean {
  return step.lost === 0 && step.closed === 0 && step.duplicates === 0 && step.p99Ms <= MAX_P99_MS;
}

/** Measures each rate in turn and stops after the first step that did not keep up. */
export async function stepUp(
  target: Target,
  pool: LoadgenPool,
  plan: (rate: number) => PublishPlan,
  subscribersPerTopic: number,
  rates: readonly number[],
  report: (step: StepResult) => void,
): Promise<StepResult[]> {
  const steps: StepResult[] = [];
  for (const rate of rates) {
    const step = await measureStep(target, pool, plan(rate), subscribersPerTopic);
    steps.push(step);
    report(step);
    if (!keptUp(step)) break;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  return steps;
}

/** S1 (and S4 through several nodes): one topic, N subscribers, the publish rate stepped up until it breaks. */
export async function runFanout(target: Target, options: FanoutOptions, log: (line: string) => void): Promise<FanoutResult> {
  const pool = LoadgenPool.start(options.subscribers, options.loadgenCpus, options.loadgens);
  const steps: StepResult[] = [];
  try {
    await pool.connect(target.streams(FANOUT_TOPIC), options.subscribers);
    // Warm-up, not recorded: JIT, connection buffers, the first GC.
    await measureStep(target, pool, { topicTemplate: FANOUT_TOPIC, topics: 1, rate: options.rates[0]!, durationMs: 1000 }, options.subscribers);
    const profiling = options.profileFile !== undefined && target.profile !== undefined;
    if (profiling) await target.profile!.start();
    const plan = (rate: number): PublishPlan => ({ topicTemplate: FANOUT_TOPIC, topics: 1, rate, durationMs: options.stepMs });
    steps.push(
      ...(await stepUp(target, pool, plan, options.subscribers, options.rates, (step) =>
        log(
          `  ${target.name} ${options.subscribers} subs @ ${step.rate}/s: ${step.deliveredPerS} deliveries/s, ` +
            `${step.cpuUsPerDelivery} µs CPU/delivery (server ${step.serverCpuPct}%, loadgen ${step.loadgenCpuPct}%), ` +
            `p50 ${step.p50Ms} ms p99 ${step.p99Ms} ms max ${step.maxMs} ms, lost ${step.lost}, cut off ${step.closed}`,
        ),
      )),
    );
    if (profiling) await target.profile!.stop(options.profileFile!);
  } finally {
    await pool.stop();
  }
  const good = steps.filter(keptUp);
  return { target: target.name, subscribers: options.subscribers, steps, best: good[good.length - 1] };
}
