import { IpcChild } from '../ipc.js';
import { histogramFrom, LatencyHistogram } from './latency-histogram.js';
import { LOCAL_ADDRESSES, STREAMS_PER_LOADGEN, type StreamTarget } from './loadgen-pool.js';
import type { PhaseHistograms, RecoveryReply, StormTotals } from './storm-protocol.js';

type Counts = Record<string, number>;

function addCounts(into: Counts, from: Counts): Counts {
  for (const [key, value] of Object.entries(from)) into[key] = (into[key] ?? 0) + value;
  return into;
}

/** Reconnecting load generators (S6), at least two processes, streams split evenly between them. */
export class StormPool {
  private constructor(private readonly children: IpcChild[]) {}

  static start(streams: number, cpus: string): StormPool {
    const count = Math.max(2, Math.ceil(streams / STREAMS_PER_LOADGEN));
    return new StormPool(Array.from({ length: count }, () => IpcChild.start({ script: 'loadgen/storm-loadgen-process.js', cpus })));
  }

  get pids(): number[] {
    return this.children.map((child) => child.pid);
  }

  /** Opens `count` streams through one address (the load balancer); rejects when any failed to open. */
  async connect(target: StreamTarget, count: number): Promise<void> {
    const perChild = Math.ceil(count / this.children.length);
    const replies = await Promise.all(
      this.children.map((child, c) =>
        child.call<{ ready: number; failed: number; error?: string }>({
          op: 'connect',
          ...target,
          first: c * perChild,
          count: Math.max(0, Math.min(perChild, count - c * perChild)),
          localAddresses: LOCAL_ADDRESSES,
          concurrency: 64,
        }),
      ),
    );
    const failed = replies.reduce((sum, reply) => sum + reply.failed, 0);
    if (failed > 0) throw new Error(`${failed} of ${count} streams failed to open (first: ${replies.find((r) => r.error)?.error})`);
  }

  /** Ends the current latency phase: its histograms per home node, merged over the processes. */
  async phase(): Promise<Map<string, LatencyHistogram>> {
    const parts = await Promise.all(this.children.map((child) => child.call<PhaseHistograms>({ op: 'phase' })));
    const merged = new Map<string, LatencyHistogram>();
    for (const part of parts) {
      for (const [home, data] of Object.entries(part)) {
        const histogram = merged.get(home);
        if (histogram) histogram.merge(data);
        else merged.set(home, histogramFrom(data));
      }
    }
    return merged;
  }

  async recovery(): Promise<RecoveryReply> {
    const parts = await Promise.all(this.children.map((child) => child.call<RecoveryReply>({ op: 'recovery' })));
    const broken = parts.map((part) => part.firstBrokenAt).filter((at) => at > 0);
    return {
      brokenByHome: parts.reduce((into, part) => addCounts(into, part.brokenByHome), {} as Counts),
      reconnected: parts.reduce((sum, part) => sum + part.reconnected, 0),
      back: parts.reduce((sum, part) => sum + part.back, 0),
      firstBrokenAt: broken.length === 0 ? 0 : Math.min(...broken),
      lastReconnectedAt: Math.max(...parts.map((part) => part.lastReconnectedAt)),
      lastBackAt: Math.max(...parts.map((part) => part.lastBackAt)),
      failures: parts.reduce((into, part) => addCounts(into, part.failures), {} as Counts),
    };
  }

  async totals(): Promise<StormTotals> {
    const parts = await Promise.all(this.children.map((child) => child.call<StormTotals>({ op: 'totals' })));
    const sum = (key: Exclude<keyof StormTotals, 'streamsByHome'>): number => parts.reduce((total, part) => total + part[key], 0);
    return {
      streams: sum('streams'),
      open: sum('open'),
      streamsByHome: parts.reduce((into, part) => addCounts(into, part.streamsByHome), {} as Counts),
      received: sum('received'),
      gaps: sum('gaps'),
      duplicates: sum('duplicates'),
      resets: sum('resets'),
      lastSum: sum('lastSum'),
      cpuUs: sum('cpuUs'),
    };
  }

  async stop(): Promise<void> {
    await Promise.all(this.children.map((child) => child.call({ op: 'close' }).catch(() => undefined)));
    await Promise.all(this.children.map((child) => child.stop()));
  }
}
