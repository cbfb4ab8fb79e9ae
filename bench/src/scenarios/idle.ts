import { LoadgenPool } from '../loadgen/loadgen-pool.js';
import { loadAverage, sampleProcs } from '../measure/proc-stat.js';
import type { Target } from '../targets/target.js';

/** Options of {@link runIdle}. */
export interface IdleOptions {
  readonly connections: number;
  /** `{i}` becomes the connection index: `users/{i}/notifications` gives each its own topic. */
  readonly topicTemplate: string;
  /** How long CPU at rest is measured; at least one heartbeat interval. */
  readonly restMs: number;
  /**
   * How long the connections sit before CPU at rest is measured. A Node server's V8 runs full garbage
   * collections for a while after a connection storm (its memory reducer, per process; 50,000
   * streams over four workers measured 19% of a core 20 s after connecting, 10% after 60 s): that
   * is the storm's cost, not the idle streams'.
   */
  readonly settleMs: number;
  readonly loadgenCpus: string;
  /** Each stream sends its own HS256 token signed with this (the yardstick ignores it). */
  readonly jwtSecret?: string;
}

/** What N idle connections cost the server. */
export interface IdleResult {
  readonly target: string;
  readonly connections: number;
  readonly open: number;
  readonly rssBeforeMb: number;
  readonly rssAfterMb: number;
  /** (RSS with the connections − RSS before) / connections. */
  readonly rssKbPerConnection: number;
  /** JS heap in use per connection (after a full GC), for Node targets: the rest of the RSS is native. */
  readonly heapKbPerConnection?: number;
  /** Server CPU while the connections sit idle (heartbeats only), % of one core. */
  readonly restCpuPct: number;
  readonly connectSeconds: number;
  /** Server CPU spent accepting and subscribing, per connection (µs). */
  readonly connectCpuUsPerConnection: number;
  readonly loadAverage: number;
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** S2: opens N idle SSE streams and measures the server's RSS per connection and CPU at rest. */
export async function runIdle(target: Target, options: IdleOptions, log: (line: string) => void): Promise<IdleResult> {
  // At least two processes, so the fd limit (20,000 per process here) never bounds the client side.
  const pool = LoadgenPool.start(options.connections, options.loadgenCpus, 2);
  try {
    await target.settle();
    await pause(500);
    const before = sampleProcs(target.serverPids());
    const heapBefore = await target.memoryUsage?.();
    const started = performance.now();
    await pool.connect(target.streams(options.topicTemplate), options.connections, 0, options.jwtSecret);
    const connectSeconds = (performance.now() - started) / 1000;
    const connected = sampleProcs(target.serverPids());
    await pause(2000);
    await target.settle();
    await pause(1000);
    const after = sampleProcs(target.serverPids());
    const heapAfter = await target.memoryUsage?.();
    await pause(options.settleMs);
    const restStart = sampleProcs(target.serverPids());
    await pause(options.restMs);
    const rest = sampleProcs(target.serverPids());
    const { open } = await pool.snapshot();
    const result: IdleResult = {
      target: target.name,
      connections: options.connections,
      open,
      rssBeforeMb: Math.round(before.rssKb / 1024),
      rssAfterMb: Math.round(after.rssKb / 1024),
      rssKbPerConnection: Math.round(((after.rssKb - before.rssKb) / options.connections) * 100) / 100,
      ...(heapBefore && heapAfter
        ? { heapKbPerConnection: Math.round(((heapAfter.heapUsed - heapBefore.heapUsed) / 1024 / options.connections) * 100) / 100 }
        : {}),
      restCpuPct: Math.round(((rest.cpuUs - restStart.cpuUs) / (rest.at - restStart.at) / 10) * 100) / 100,
      connectSeconds: Math.round(connectSeconds * 10) / 10,
      connectCpuUsPerConnection: Math.round((connected.cpuUs - before.cpuUs) / options.connections),
      loadAverage: loadAverage(),
    };
    log(
      `  ${target.name} ${options.connections} idle: ${result.rssKbPerConnection} KB/connection (heap ${result.heapKbPerConnection ?? '-'} KB) ` +
        `(RSS ${result.rssBeforeMb} → ${result.rssAfterMb} MB), ${result.restCpuPct}% CPU at rest, ${open} open, ` +
        `connected in ${result.connectSeconds} s (${result.connectCpuUsPerConnection} µs server CPU each)`,
    );
    return result;
  } finally {
    await pool.stop();
  }
}
