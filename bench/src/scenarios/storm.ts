import { LatencyHistogram } from '../loadgen/latency-histogram.js';
import { StormPool } from '../loadgen/storm-pool.js';
import { loadAverage, sampleProcs, type ProcSample } from '../measure/proc-stat.js';
import { clockMs, type PublishPlan } from '../publisher/pacer.js';
import { startStormCluster, type StormCluster } from '../targets/ssehub-storm-cluster.js';

/** A gateway setting under test: "admission off" is the gateways as they are; a variant adds env. */
export interface StormVariant {
  readonly name: string;
  readonly gatewayEnv: Readonly<Record<string, string>>;
}

/** Options of {@link runStorm}. */
export interface StormOptions {
  readonly broker: 'redis' | 'nats';
  readonly gateways: number;
  readonly streams: number;
  /** Publishes per second round-robin over the streams' own topics, and on the one topic every stream shares. */
  readonly personalRate: number;
  readonly sharedRate: number;
  /** How long latencies and CPU are measured before the kill, and how long the storm may take at most. */
  readonly beforeMs: number;
  readonly stormMaxMs: number;
  readonly variant: StormVariant;
  readonly serverCpus: string;
  readonly clientCpus: string;
}

/** What killing one gateway under N streams did. */
export interface StormResult {
  readonly target: string;
  readonly variant: string;
  readonly streams: number;
  readonly streamsByGateway: Record<string, number>;
  readonly killed: string;
  /** Streams that lost their connection, by the gateway they were on first (survivors' should be 0). */
  readonly brokenByGateway: Record<string, number>;
  /** Seconds from the kill until every broken stream was open again, and until each had a live event after its catch-up. */
  readonly reconnectedS: number;
  readonly backS: number;
  /** False when some stream was not back within `stormMaxMs`. */
  readonly allBack: boolean;
  readonly failedAttempts: number;
  /** Surviving gateways' CPU (sum, % of one core), and nginx's, before the kill and from the kill until all were back. */
  readonly survivorCpuPctBefore: number;
  readonly survivorCpuPctStorm: number;
  readonly nginxCpuPctBefore: number;
  readonly nginxCpuPctStorm: number;
  /** The load generators' CPU (sum, % of one core): near 100 means the client side set the latency. */
  readonly loadgenCpuPctBefore: number;
  readonly loadgenCpuPctStorm: number;
  /** Delivery latency of the streams not on the killed gateway, before and during the storm. */
  readonly survivorP50MsBefore: number;
  readonly survivorP99MsBefore: number;
  readonly survivorP50MsStorm: number;
  readonly survivorP99MsStorm: number;
  readonly survivorMaxMsStorm: number;
  /** The killed gateway's streams during the storm, catch-up included (events published while they were away). */
  readonly killedP99MsStorm: number;
  readonly published: number;
  readonly publishFailed: number;
  /** Deliveries due (every event to every subscriber of its topic, once) and received over the whole run. */
  readonly expected: number;
  readonly received: number;
  readonly gaps: number;
  readonly duplicates: number;
  /** Events missing at the end of some stream (no later event showed the gap). */
  readonly tailLost: number;
  readonly resets: number;
  readonly loadAverageBefore: number;
  readonly loadAverageAfter: number;
}

/** Each stream's own topic, and the one topic every stream also subscribes to. */
const PERSONAL_TOPIC = 'users/{i}/notifications';
const SHARED_TOPIC = 'bench/storm';
/** Publishing runs this long before the measured window starts (JIT, first GC). @default 2000 */
const WARMUP_MS = 2000;
/** How often recovery is polled. @default 100 */
const POLL_MS = 100;

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
/** % of one core between two samples, one decimal. */
const cpuPct = (from: ProcSample, to: ProcSample): number => Math.round((to.cpuUs - from.cpuUs) / (to.at - from.at)) / 10;
const ms = (us: number): number => Math.round(us / 10) / 100;
const seconds = (fromMs: number, toMs: number): number => Math.round((toMs - fromMs) / 100) / 10;

function mergeHomes(histograms: Map<string, LatencyHistogram>, keep: (home: string) => boolean): LatencyHistogram {
  const merged = new LatencyHistogram();
  for (const [home, histogram] of histograms) if (keep(home)) merged.merge(histogram.toJSON());
  return merged;
}

/** Waits until every stream that broke is back (or `maxMs` passed); answers the last recovery reading. */
async function awaitRecovery(pool: StormPool, killedStreams: number, maxMs: number) {
  const deadline = performance.now() + maxMs;
  for (;;) {
    const recovery = await pool.recovery();
    const broken = Object.values(recovery.brokenByHome).reduce((sum, count) => sum + count, 0);
    if ((broken >= killedStreams && recovery.back === broken) || performance.now() > deadline) return { recovery, broken };
    await pause(POLL_MS);
  }
}

/** Waits until `expected` deliveries arrived, or nothing arrived for 3 s. */
async function awaitDeliveries(pool: StormPool, expected: number): Promise<void> {
  let last = -1;
  let quietSince = performance.now();
  for (;;) {
    const { received } = await pool.totals();
    if (received >= expected) return;
    if (received !== last) [last, quietSince] = [received, performance.now()];
    else if (performance.now() - quietSince > 3000) return;
    await pause(200);
  }
}

/**
 * S6: N streams spread by nginx over several gateways, each on its own topic plus one shared topic,
 * steady publishing; then kill -9 the busiest gateway. Measures how long until all its streams are
 * back (reconnected as EventSource does, resumed from `Last-Event-ID`, every event once and in
 * order), the survivors' CPU, and the survivors' own streams' latency during the storm against before.
 */
export async function runStorm(options: StormOptions, log: (line: string) => void): Promise<StormResult> {
  const loadAverageBefore = loadAverage();
  const cluster: StormCluster = await startStormCluster({
    broker: options.broker,
    gateways: options.gateways,
    // One nginx worker holds 8,192 connections, two per stream; reconnects briefly need more.
    nginxWorkers: Math.ceil((options.streams * 2 * 1.5) / 8192),
    gatewayEnv: options.variant.gatewayEnv,
    serverCpus: options.serverCpus,
    publisherCpus: options.clientCpus,
  });
  const pool = StormPool.start(options.streams, options.clientCpus);
  try {
    const pathTemplate = `/v1/events?topic=${PERSONAL_TOPIC}&topic=${SHARED_TOPIC}`;
    await pool.connect({ ...cluster.entry, pathTemplate }, options.streams);
    const { streamsByHome } = await pool.totals();
    const [killed, killedStreams] = Object.entries(streamsByHome).sort((a, b) => b[1] - a[1])[0]!;
    const survivors = cluster.gateways.map((gateway) => gateway.nodeId).filter((id) => id !== killed);
    const survivorPids = (): number[] => survivors.flatMap((id) => cluster.gatewayPids(id));
    const sampleCpus = () => ({ survivors: sampleProcs(survivorPids()), nginx: sampleProcs(cluster.nginxPids()), loadgens: sampleProcs(pool.pids) });
    log(`  ${options.streams} streams over ${JSON.stringify(streamsByHome)}; will kill ${killed}`);

    const durationMs = WARMUP_MS + options.beforeMs + options.stormMaxMs;
    const personal: PublishPlan = { topicTemplate: PERSONAL_TOPIC, topics: options.streams, rate: options.personalRate, durationMs };
    const shared: PublishPlan = { topicTemplate: SHARED_TOPIC, topics: 1, rate: options.sharedRate, durationMs };
    const publishing = Promise.all([cluster.publisher.publish(personal), cluster.publisher.publish(shared)]);

    await pause(WARMUP_MS);
    await pool.phase();
    const cpuStart = sampleCpus();
    await pause(options.beforeMs);
    const before = await pool.phase();
    const cpuKill = sampleCpus();
    const killedAt = clockMs();
    await cluster.gateways.find((gateway) => gateway.nodeId === killed)!.kill();
    const { recovery, broken } = await awaitRecovery(pool, killedStreams, options.stormMaxMs - 1000);
    const cpuEnd = sampleCpus();
    const storm = await pool.phase();

    const [personalResult, sharedResult] = await publishing;
    const expected = personalResult.published + sharedResult.published * options.streams;
    await awaitDeliveries(pool, expected);
    const totals = await pool.totals();
    const isSurvivor = (home: string): boolean => home !== killed;
    const survivorBefore = mergeHomes(before, isSurvivor);
    const survivorStorm = mergeHomes(storm, isSurvivor);
    const result: StormResult = {
      target: `ssehub ${options.gateways} gateways+nginx+${options.broker}`,
      variant: options.variant.name,
      streams: options.streams,
      streamsByGateway: streamsByHome,
      killed,
      brokenByGateway: recovery.brokenByHome,
      reconnectedS: seconds(killedAt, recovery.lastReconnectedAt),
      backS: seconds(killedAt, recovery.lastBackAt),
      allBack: broken >= killedStreams && recovery.back === broken,
      failedAttempts: recovery.failedAttempts,
      survivorCpuPctBefore: cpuPct(cpuStart.survivors, cpuKill.survivors),
      survivorCpuPctStorm: cpuPct(cpuKill.survivors, cpuEnd.survivors),
      nginxCpuPctBefore: cpuPct(cpuStart.nginx, cpuKill.nginx),
      nginxCpuPctStorm: cpuPct(cpuKill.nginx, cpuEnd.nginx),
      loadgenCpuPctBefore: cpuPct(cpuStart.loadgens, cpuKill.loadgens),
      loadgenCpuPctStorm: cpuPct(cpuKill.loadgens, cpuEnd.loadgens),
      survivorP50MsBefore: ms(survivorBefore.quantileUs(0.5)),
      survivorP99MsBefore: ms(survivorBefore.quantileUs(0.99)),
      survivorP50MsStorm: ms(survivorStorm.quantileUs(0.5)),
      survivorP99MsStorm: ms(survivorStorm.quantileUs(0.99)),
      survivorMaxMsStorm: ms(survivorStorm.maxUs),
      killedP99MsStorm: ms(mergeHomes(storm, (home) => home === killed).quantileUs(0.99)),
      published: personalResult.published + sharedResult.published,
      publishFailed: personalResult.failed + sharedResult.failed,
      expected,
      received: totals.received,
      gaps: totals.gaps,
      duplicates: totals.duplicates,
      tailLost: Math.max(0, expected - totals.lastSum),
      resets: totals.resets,
      loadAverageBefore,
      loadAverageAfter: loadAverage(),
    };
    log(
      `  ${result.variant}: killed ${killed} (${killedStreams} streams): all reconnected in ${result.reconnectedS} s, back in ${result.backS} s` +
        `${result.allBack ? '' : ' (NOT all back)'}; broken ${JSON.stringify(result.brokenByGateway)}, ${result.failedAttempts} failed attempts; ` +
        `survivors CPU ${result.survivorCpuPctBefore}% → ${result.survivorCpuPctStorm}%, nginx ${result.nginxCpuPctBefore}% → ${result.nginxCpuPctStorm}%, ` +
        `loadgens ${result.loadgenCpuPctBefore}% → ${result.loadgenCpuPctStorm}%; ` +
        `survivors' streams p50 ${result.survivorP50MsBefore} → ${result.survivorP50MsStorm} ms, p99 ${result.survivorP99MsBefore} → ${result.survivorP99MsStorm} ms (max ${result.survivorMaxMsStorm}); ` +
        `received ${result.received}/${expected}, gaps ${result.gaps}, duplicates ${result.duplicates}, tail lost ${result.tailLost}, ` +
        `resets ${result.resets}; load ${loadAverageBefore} → ${result.loadAverageAfter}`,
    );
    return result;
  } finally {
    await pool.stop();
    await cluster.stop();
  }
}
