import type { HistogramData } from './latency-histogram.js';
import type { ConnectRequest } from './loadgen-protocol.js';

/** Opens `count` reconnecting streams through one address (the load balancer), as the S2 load generator opens its streams. */
export type StormConnectRequest = Omit<ConnectRequest, 'jwtSecret'>;

/** What the parent asks a storm load generator. */
export type StormRequest =
  | StormConnectRequest
  /** Ends the current latency phase: answers its histograms per home node and starts new ones. */
  | { readonly op: 'phase' }
  | { readonly op: 'recovery' }
  | { readonly op: 'totals' }
  | { readonly op: 'close' };

/** Latencies of one phase, per home node (the node that served a stream first). */
export type PhaseHistograms = Record<string, HistogramData>;

/** How the streams that lost their connection came back. */
export interface RecoveryReply {
  /** Streams that lost a connection since they first opened, per home node. */
  readonly brokenByHome: Record<string, number>;
  /** Of those, streams open again (a 200 head) and streams back (a live event published after the reconnect arrived). */
  readonly reconnected: number;
  readonly back: number;
  /** Shared clock (ms) of the first break, of the last reconnect head and of the last stream back. */
  readonly firstBrokenAt: number;
  readonly lastReconnectedAt: number;
  readonly lastBackAt: number;
  /** Connection attempts that failed, by reason (`HTTP 502`, a socket error, cut before the head). */
  readonly failures: Record<string, number>;
}

/** Counters over the whole run (never reset), for the every-event-once check. */
export interface StormTotals {
  readonly streams: number;
  readonly open: number;
  readonly streamsByHome: Record<string, number>;
  readonly received: number;
  readonly gaps: number;
  readonly duplicates: number;
  readonly resets: number;
  /** Sum over streams of the highest `n` seen per topic: equals what was published when nothing was lost at the tail. */
  readonly lastSum: number;
  readonly cpuUs: number;
}
