import { LoadgenPool } from '../loadgen/loadgen-pool.js';
import { sampleProcs } from '../measure/proc-stat.js';
import type { Target } from '../targets/target.js';
import { measureStep, type StepResult } from './measure-step.js';

/** Options of {@link runPersonal}. */
export interface PersonalOptions {
  readonly subscribers: number;
  /** Publishes per second over all topics, each to the next user in turn. */
  readonly rate: number;
  readonly durationMs: number;
  readonly loadgenCpus: string;
  /** Profile the server over the measured step (Node targets) into this file. */
  readonly profileFile?: string;
}

/** S3: what personal topics cost. */
export interface PersonalResult {
  readonly target: string;
  readonly subscribers: number;
  readonly step: StepResult;
  /** Server RSS per connection with one topic (one broker subscription) per connection. */
  readonly rssKbPerConnection: number;
}

/** The topic of user i: every connection has its own. */
export const PERSONAL_TOPIC = 'users/{i}/notifications';

/** S3: N subscribers, each on its own `users/{i}/notifications`, a steady publish rate spread over all. */
export async function runPersonal(target: Target, options: PersonalOptions, log: (line: string) => void): Promise<PersonalResult> {
  const pool = LoadgenPool.start(options.subscribers, options.loadgenCpus);
  try {
    await target.settle();
    const before = sampleProcs(target.serverPids());
    await pool.connect(target.streams(PERSONAL_TOPIC), options.subscribers);
    await target.settle();
    const after = sampleProcs(target.serverPids());
    const plan = { topicTemplate: PERSONAL_TOPIC, topics: options.subscribers, rate: options.rate, durationMs: options.durationMs };
    // Warm-up, not recorded.
    await measureStep(target, pool, { ...plan, durationMs: 1000 }, 1);
    const profiling = options.profileFile !== undefined && target.profile !== undefined;
    if (profiling) await target.profile!.start();
    const step = await measureStep(target, pool, plan, 1);
    if (profiling) await target.profile!.stop(options.profileFile!);
    const rssKbPerConnection = Math.round(((after.rssKb - before.rssKb) / options.subscribers) * 100) / 100;
    log(
      `  ${target.name} ${options.subscribers} personal topics @ ${options.rate}/s: ${step.deliveredPerS} deliveries/s, ` +
        `${step.cpuUsPerDelivery} µs CPU/delivery (server ${step.serverCpuPct}%, loadgen ${step.loadgenCpuPct}%), ` +
        `p50 ${step.p50Ms} ms p99 ${step.p99Ms} ms max ${step.maxMs} ms, lost ${step.lost}, ${rssKbPerConnection} KB/connection`,
    );
    return { target: target.name, subscribers: options.subscribers, step, rssKbPerConnection };
  } finally {
    await pool.stop();
  }
}
