import { IpcChild } from '../ipc.js';
import { LatencyHistogram } from './latency-histogram.js';
import type { ConnectReply, LoadgenSnapshot } from './loadgen-protocol.js';

/** Streams one load generator process holds at most: the fd hard limit here is 20,000 per process. @default 15000 */
export const STREAMS_PER_LOADGEN = 15_000;
/** Source addresses on loopback (each has ~28,000 ephemeral ports). */
export const LOCAL_ADDRESSES = ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5'];

/** Where and what to subscribe: `{i}` in the path becomes the stream's index. */
export interface StreamTarget {
  readonly host: string;
  readonly port: number;
  readonly pathTemplate: string;
}

/** The merged view of every load generator. */
export interface PoolSnapshot extends Omit<LoadgenSnapshot, 'histogram'> {
  readonly histogram: LatencyHistogram;
}

/** Load generator processes pinned to the CPUs the server does not use, sharing streams between them. */
export class LoadgenPool {
  private constructor(private readonly children: IpcChild[]) {}

  /** Starts enough processes for `streams` (at least `minProcesses`). */
  static start(streams: number, cpus: string, minProcesses = 1): LoadgenPool {
    const count = Math.max(minProcesses, Math.ceil(streams / STREAMS_PER_LOADGEN));
    return new LoadgenPool(Array.from({ length: count }, () => IpcChild.start({ script: 'loadgen/loadgen-process.js', cpus })));
  }

  get pids(): number[] {
    return this.children.map((child) => child.pid);
  }

  /**
   * Opens `count` streams spread over the targets (several gateways) and the processes; stream i
   * goes to target i % targets.length. Rejects when any stream failed to open. With `jwtSecret`, each
   * stream carries its own token signed with it.
   */
  async connect(targets: readonly StreamTarget[], count: number, first = 0, jwtSecret?: string): Promise<void> {
    const perChild = Math.ceil(count / this.children.length);
    const replies = await Promise.all(
      this.children.map((child, c) => {
        const from = c * perChild;
        const mine = Math.max(0, Math.min(perChild, count - from));
        let offset = from;
        return Promise.all(
          targets.map((target, t) => {
            // Each target gets a contiguous part of this child's share.
            const share = Math.floor(mine / targets.length) + (t < mine % targets.length ? 1 : 0);
            const start = offset;
            offset += share;
            return child.call<ConnectReply>({
              op: 'connect',
              ...target,
              first: first + start,
              count: share,
              localAddresses: LOCAL_ADDRESSES,
              concurrency: 64,
              ...(jwtSecret === undefined ? {} : { jwtSecret }),
            });
          }),
        );
      }),
    );
    const failed = replies.flat().filter((reply) => reply.failed > 0);
    if (failed.length > 0) {
      const total = failed.reduce((sum, reply) => sum + reply.failed, 0);
      throw new Error(`${total} of ${count} streams failed to open (first: ${failed[0]!.error})`);
    }
  }

  async reset(): Promise<void> {
    await Promise.all(this.children.map((child) => child.call({ op: 'reset' })));
  }

  async snapshot(): Promise<PoolSnapshot> {
    const parts = await Promise.all(this.children.map((child) => child.call<LoadgenSnapshot>({ op: 'snapshot' })));
    const histogram = new LatencyHistogram();
    for (const part of parts) histogram.merge(part.histogram);
    const sum = (key: 'received' | 'gaps' | 'duplicates' | 'closed' | 'open' | 'cpuUs'): number =>
      parts.reduce((total, part) => total + part[key], 0);
    return {
      received: sum('received'),
      gaps: sum('gaps'),
      duplicates: sum('duplicates'),
      closed: sum('closed'),
      open: sum('open'),
      cpuUs: sum('cpuUs'),
      minLast: Math.min(...parts.map((part) => (part.open === 0 ? Number.MAX_SAFE_INTEGER : part.minLast))),
      histogram,
    };
  }

  async closeStreams(): Promise<void> {
    await Promise.all(this.children.map((child) => child.call({ op: 'close' })));
  }

  async stop(): Promise<void> {
    await Promise.all(this.children.map((child) => child.stop()));
  }
}
