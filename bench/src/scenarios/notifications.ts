import { LoadgenPool } from '../loadgen/loadgen-pool.js';
import type { PublishPlan } from '../publisher/pacer.js';
import type { Target } from '../targets/target.js';
import { keptUp, stepUp } from './fanout.js';
import { measureStep, type StepResult } from './measure-step.js';
import { PERSONAL_TOPIC } from './personal.js';

/** Options of {@link runNotifications}. */
export interface NotificationsOptions {
  readonly subscribers: number;
  /** HTTP publishes per second tried in turn, round-robin over the subscribers' topics. */
  readonly rates: readonly number[];
  readonly stepMs: number;
  readonly loadgenCpus: string;
}

/** One target's notification run: every step, and the best one that kept up. */
export interface NotificationsResult {
  readonly target: string;
  readonly subscribers: number;
  readonly steps: StepResult[];
  /** The highest rate delivered with no loss and p99 ≤ 1 s. */
  readonly best: StepResult | undefined;
}

/** Server + broker CPU per notification, µs: what one notification costs the whole server side. */
export function cpuUsPerNotification(step: StepResult): number {
  return Math.round((step.cpuUsPerDelivery + step.brokerCpuUsPerDelivery) * 100) / 100;
}

/**
 * S5: N subscribers, each on its own `users/{i}/notifications`, and HTTP publishes (`POST`, one
 * event to one user) at stepped rates: what a notification costs from the publish request to the
 * subscriber's frame, against targets that all take the same publish over HTTP.
 */
export async function runNotifications(target: Target, options: NotificationsOptions, log: (line: string) => void): Promise<NotificationsResult> {
  const pool = LoadgenPool.start(options.subscribers, options.loadgenCpus);
  try {
    await pool.connect(target.streams(PERSONAL_TOPIC), options.subscribers);
    const plan = (rate: number): PublishPlan => ({ topicTemplate: PERSONAL_TOPIC, topics: options.subscribers, rate, durationMs: options.stepMs });
    // Warm-up, not recorded: JIT, keep-alive connections, the first GC.
    await measureStep(target, pool, { ...plan(options.rates[0]!), durationMs: 1000 }, 1);
    const steps = await stepUp(target, pool, plan, 1, options.rates, (step) =>
      log(
        `  ${target.name} ${options.subscribers} users @ ${step.rate} publishes/s: ${step.deliveredPerS}/s delivered, ` +
          `${cpuUsPerNotification(step)} µs CPU/notification (server ${step.cpuUsPerDelivery} µs ${step.serverCpuPct}%, ` +
          `broker ${step.brokerCpuUsPerDelivery} µs; publisher ${step.publisherCpuPct}%, loadgen ${step.loadgenCpuPct}%), ` +
          `p50 ${step.p50Ms} ms p99 ${step.p99Ms} ms, lost ${step.lost}, load ${step.loadAverage}`,
      ),
    );
    const good = steps.filter(keptUp);
    return { target: target.name, subscribers: options.subscribers, steps, best: good[good.length - 1] };
  } finally {
    await pool.stop();
  }
}
