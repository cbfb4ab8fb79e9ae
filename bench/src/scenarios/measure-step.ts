import type { LoadgenPool } from '../loadgen/loadgen-pool.js';
import { loadAverage, sampleProcs } from '../measure/proc-stat.js';
import type { PublishPlan } from '../publisher/pacer.js';
import type { Target } from '../targets/target.js';

/** What one publish rate delivered and cost. */
export interface StepResult {
  /** Events published per second (over all topics). */
  readonly rate: number;
  readonly published: number;
  /** Deliveries the subscribers should have received. */
  readonly expected: number;
  readonly received: number;
  readonly deliveredPerS: number;
  /** Server CPU (user + system, all its processes) per delivered event, µs. */
  readonly cpuUsPerDelivery: number;
  /** Server CPU over the step, % of one core. */
  readonly serverCpuPct: number;
  /** Redis / NATS CPU over the step, % of one core (cross-node only). */
  readonly brokerCpuPct: number;
  /** Redis / NATS CPU per delivered event, µs (cross-node only; not in `cpuUsPerDelivery`). */
  readonly brokerCpuUsPerDelivery: number;
  /** The publisher process's CPU, % of one core (HTTP and broker publishers; 0 when publishing in-process). */
  readonly publisherCpuPct: number;
  /** Load generators' CPU, % of one core: near 100 means they, not the server, set the limit. */
  readonly loadgenCpuPct: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** expected − received: events lost (or stuck unsent). */
  readonly lost: number;
  readonly duplicates: number;
  /** Streams the server cut off (slow consumer) or that failed during the step. */
  readonly closed: number;
  readonly loadAverage: number;
}

/** Settling waits this long without progress before it calls the rest lost. @default 1500 */
const QUIET_MS = 1500;

async function settle(pool: LoadgenPool, expected: number, maxMs: number): Promise<void> {
  const deadline = performance.now() + maxMs;
  let last = -1;
  let quietSince = performance.now();
  while (performance.now() < deadline) {
    const { received } = await pool.snapshot();
    if (received >= expected) return;
    if (received !== last) {
      last = received;
      quietSince = performance.now();
    } else if (performance.now() - quietSince > QUIET_MS) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Publishes one plan, waits until its deliveries arrived (or stopped arriving) and measures everything. */
export async function measureStep(target: Target, pool: LoadgenPool, plan: PublishPlan, subscribersPerTopic: number): Promise<StepResult> {
  await pool.reset();
  const before = sampleProcs(target.serverPids());
  const brokerBefore = sampleProcs(target.brokerPids());
  const publisherBefore = sampleProcs(target.publisherPids?.() ?? []);
  const result = await target.publish(plan);
  const expected = result.published * subscribersPerTopic;
  await settle(pool, expected, 15_000);
  const after = sampleProcs(target.serverPids());
  const brokerAfter = sampleProcs(target.brokerPids());
  const publisherAfter = sampleProcs(target.publisherPids?.() ?? []);
  const snapshot = await pool.snapshot();
  const windowS = (after.at - before.at) / 1000;
  const serverCpuUs = after.cpuUs - before.cpuUs;
  const brokerCpuUs = brokerAfter.cpuUs - brokerBefore.cpuUs;
  const perDelivery = (us: number): number => (snapshot.received === 0 ? 0 : Math.round((us / snapshot.received) * 100) / 100);
  const ms = (us: number): number => Math.round(us / 10) / 100;
  return {
    rate: plan.rate,
    published: result.published,
    expected,
    received: snapshot.received,
    deliveredPerS: Math.round(snapshot.received / (plan.durationMs / 1000)),
    cpuUsPerDelivery: perDelivery(serverCpuUs),
    serverCpuPct: Math.round(serverCpuUs / windowS / 10_000),
    brokerCpuPct: Math.round(brokerCpuUs / windowS / 10_000),
    brokerCpuUsPerDelivery: perDelivery(brokerCpuUs),
    publisherCpuPct: Math.round((publisherAfter.cpuUs - publisherBefore.cpuUs) / windowS / 10_000),
    loadgenCpuPct: Math.round(snapshot.cpuUs / windowS / 10_000),
    p50Ms: ms(snapshot.histogram.quantileUs(0.5)),
    p99Ms: ms(snapshot.histogram.quantileUs(0.99)),
    maxMs: ms(snapshot.histogram.maxUs),
    lost: Math.max(0, expected - snapshot.received) + result.failed * subscribersPerTopic,
    duplicates: snapshot.duplicates,
    closed: snapshot.closed,
    loadAverage: loadAverage(),
  };
}
