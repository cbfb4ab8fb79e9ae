import type { PublishResult } from '../harness/harness-protocol.js';
import { LatencyHistogram } from '../loadgen/latency-histogram.js';
import type { RecoveryReply, StormTotals } from '../loadgen/storm-protocol.js';
import type { ProcSample } from '../measure/proc-stat.js';

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
  /** False when some stream was not back within `stormMaxMs`; then how many of the broken streams were back by then. */
  readonly allBack: boolean;
  readonly brokenStreams: number;
  readonly backStreams: number;
  /** Failed reconnect attempts by reason. */
  readonly failures: Record<string, number>;
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

/** CPU of the survivors, nginx and the load generators at one instant. */
export interface CpuReading {
  readonly survivors: ProcSample;
  readonly nginx: ProcSample;
  readonly loadgens: ProcSample;
}

/** What a storm run read, before it is summed up. */
export interface StormReadings {
  readonly target: string;
  readonly variant: string;
  readonly streams: number;
  readonly streamsByGateway: Record<string, number>;
  readonly killed: string;
  /** Shared clock (ms) of the kill. */
  readonly killedAt: number;
  readonly recovery: RecoveryReply;
  /** CPU at the start of the window before the kill, at the kill, and when all were back. */
  readonly cpu: { readonly start: CpuReading; readonly kill: CpuReading; readonly end: CpuReading };
  /** Latencies per home node, before the kill and during the storm. */
  readonly before: Map<string, LatencyHistogram>;
  readonly storm: Map<string, LatencyHistogram>;
  readonly publishes: readonly PublishResult[];
  readonly expected: number;
  readonly totals: StormTotals;
  readonly loadAverageBefore: number;
  readonly loadAverageAfter: number;
}

/** % of one core between two samples, one decimal. */
const cpuPct = (from: ProcSample, to: ProcSample): number => Math.round((to.cpuUs - from.cpuUs) / (to.at - from.at)) / 10;
const ms = (us: number): number => Math.round(us / 10) / 100;
const seconds = (fromMs: number, toMs: number): number => Math.round((toMs - fromMs) / 100) / 10;

function mergeHomes(histograms: Map<string, LatencyHistogram>, keep: (home: string) => boolean): LatencyHistogram {
  const merged = new LatencyHistogram();
  for (const [home, histogram] of histograms) if (keep(home)) merged.merge(histogram.toJSON());
  return merged;
}

const brokenCount = (recovery: RecoveryReply): number => Object.values(recovery.brokenByHome).reduce((sum, count) => sum + count, 0);

/** True once every stream of the killed gateway broke and every stream that broke is back. */
export function allBack(recovery: RecoveryReply, killedStreams: number): boolean {
  const broken = brokenCount(recovery);
  return broken >= killedStreams && recovery.back === broken;
}

/** Sums a run's readings up into the figures S6 reports. */
export function summariseStorm(r: StormReadings): StormResult {
  const isSurvivor = (home: string): boolean => home !== r.killed;
  const survivorBefore = mergeHomes(r.before, isSurvivor);
  const survivorStorm = mergeHomes(r.storm, isSurvivor);
  const { start, kill, end } = r.cpu;
  return {
    target: r.target,
    variant: r.variant,
    streams: r.streams,
    streamsByGateway: r.streamsByGateway,
    killed: r.killed,
    brokenByGateway: r.recovery.brokenByHome,
    reconnectedS: seconds(r.killedAt, r.recovery.lastReconnectedAt),
    backS: seconds(r.killedAt, r.recovery.lastBackAt),
    allBack: allBack(r.recovery, r.streamsByGateway[r.killed] ?? 0),
    brokenStreams: brokenCount(r.recovery),
    backStreams: r.recovery.back,
    failures: r.recovery.failures,
    survivorCpuPctBefore: cpuPct(start.survivors, kill.survivors),
    survivorCpuPctStorm: cpuPct(kill.survivors, end.survivors),
    nginxCpuPctBefore: cpuPct(start.nginx, kill.nginx),
    nginxCpuPctStorm: cpuPct(kill.nginx, end.nginx),
    loadgenCpuPctBefore: cpuPct(start.loadgens, kill.loadgens),
    loadgenCpuPctStorm: cpuPct(kill.loadgens, end.loadgens),
    survivorP50MsBefore: ms(survivorBefore.quantileUs(0.5)),
    survivorP99MsBefore: ms(survivorBefore.quantileUs(0.99)),
    survivorP50MsStorm: ms(survivorStorm.quantileUs(0.5)),
    survivorP99MsStorm: ms(survivorStorm.quantileUs(0.99)),
    survivorMaxMsStorm: ms(survivorStorm.maxUs),
    killedP99MsStorm: ms(mergeHomes(r.storm, (home) => home === r.killed).quantileUs(0.99)),
    published: r.publishes.reduce((sum, p) => sum + p.published, 0),
    publishFailed: r.publishes.reduce((sum, p) => sum + p.failed, 0),
    expected: r.expected,
    received: r.totals.received,
    gaps: r.totals.gaps,
    duplicates: r.totals.duplicates,
    tailLost: Math.max(0, r.expected - r.totals.lastSum),
    resets: r.totals.resets,
    loadAverageBefore: r.loadAverageBefore,
    loadAverageAfter: r.loadAverageAfter,
  };
}

/** One log line per run. */
export function describeStorm(r: StormResult): string {
  return (
    `  ${r.variant}: killed ${r.killed} (${r.streamsByGateway[r.killed]} streams): all reconnected in ${r.reconnectedS} s, back in ${r.backS} s` +
    `${r.allBack ? '' : ` (NOT all back: ${r.backStreams} of ${r.brokenStreams})`}; broken ${JSON.stringify(r.brokenByGateway)}, ` +
    `failed attempts ${JSON.stringify(r.failures)}; ` +
    `survivors CPU ${r.survivorCpuPctBefore}% → ${r.survivorCpuPctStorm}%, nginx ${r.nginxCpuPctBefore}% → ${r.nginxCpuPctStorm}%, ` +
    `loadgens ${r.loadgenCpuPctBefore}% → ${r.loadgenCpuPctStorm}%; survivors' streams p50 ${r.survivorP50MsBefore} → ${r.survivorP50MsStorm} ms, ` +
    `p99 ${r.survivorP99MsBefore} → ${r.survivorP99MsStorm} ms (max ${r.survivorMaxMsStorm}); received ${r.received}/${r.expected}, ` +
    `gaps ${r.gaps}, duplicates ${r.duplicates}, tail lost ${r.tailLost}, resets ${r.resets}; load ${r.loadAverageBefore} → ${r.loadAverageAfter}`
  );
}
