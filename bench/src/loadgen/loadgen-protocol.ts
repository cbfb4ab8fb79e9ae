import type { HistogramData } from './latency-histogram.js';

/** Opens `count` SSE streams; `{i}` in the path template becomes `first + k`. */
export interface ConnectRequest {
  readonly op: 'connect';
  readonly host: string;
  readonly port: number;
  readonly pathTemplate: string;
  readonly first: number;
  readonly count: number;
  /** Source addresses used in turn (127.0.0.2, ...), so 50,000 connections do not run out of ports. */
  readonly localAddresses: readonly string[];
  /** Connections being opened at once. */
  readonly concurrency: number;
  /** With it, each stream sends `Authorization: Bearer` with its own HS256 token (see `streamToken`). */
  readonly jwtSecret?: string;
}

/** What the parent asks a load generator. */
export type LoadgenRequest =
  | ConnectRequest
  | { readonly op: 'reset' }
  | { readonly op: 'snapshot' }
  | { readonly op: 'close' };

/** Answer to `connect`. */
export interface ConnectReply {
  readonly ready: number;
  readonly failed: number;
  /** First failure, for the report. */
  readonly error?: string;
}

/** Counters since the last `reset`. */
export interface LoadgenSnapshot {
  readonly received: number;
  readonly gaps: number;
  readonly duplicates: number;
  /** Streams that ended after they were ready (a slow consumer cut off, a server error). */
  readonly closed: number;
  readonly open: number;
  /** Lowest `n` any open connection has seen (tail loss check). */
  readonly minLast: number;
  readonly histogram: HistogramData;
  /** CPU this load generator used since the last reset (µs), to show what it costs. */
  readonly cpuUs: number;
}
