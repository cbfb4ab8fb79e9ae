/** Requests of the flood process: connect and follow, flood (measured by the parent), close. */
export type FloodRequest =
  | { readonly op: 'open'; readonly url: string; readonly prefix: string; readonly topics: readonly string[] }
  | { readonly op: 'flood'; readonly concurrency: number; readonly durationMs: number }
  | { readonly op: 'close' };

/** `open`: the step's broker. */
export interface FloodTarget {
  /** `BROKER_URL` of the step, `?partitions=N` included. */
  readonly url: string;
  /** Key/subject prefix of the step: every step writes fresh logs. */
  readonly prefix: string;
  readonly topics: readonly string[];
}

/** What one step published and what its following node received. */
export interface FloodResult {
  readonly acked: number;
  readonly failed: number;
  /** The first failure's message, to show why a step failed. */
  readonly firstError?: string;
  /** From the first publish to the last acknowledgement. */
  readonly elapsedMs: number;
  /** Events the node following every topic received (each topic's `n`, checked in order). */
  readonly received: number;
  /** Acknowledged publishes never received. */
  readonly lost: number;
  readonly duplicates: number;
  /** Events that came before an earlier `n` of their topic. */
  readonly reordered: number;
}
