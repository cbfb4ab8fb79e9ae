/** Exact buckets below this many microseconds, 1% wide ones above. @default 100 */
const LINEAR_US = 100;
const GROWTH = Math.log(1.01);
/** Buckets up to ~10 minutes. @default 2600 */
const BUCKETS = 2600;

/**
 * A fixed-size latency histogram in microseconds (1% resolution above 100 µs): recording is one
 * `Math.log`, merging is adding arrays, so load generators can ship it to the parent cheaply.
 */
export class LatencyHistogram {
  readonly counts: number[];
  count = 0;
  maxUs = 0;
  sumUs = 0;

  constructor(counts?: readonly number[]) {
    this.counts = counts ? [...counts] : new Array<number>(BUCKETS).fill(0);
  }

  record(us: number): void {
    const value = us < 0 ? 0 : us;
    const index = value < LINEAR_US ? Math.floor(value) : LINEAR_US + Math.floor(Math.log(value / LINEAR_US) / GROWTH);
    this.counts[index < BUCKETS ? index : BUCKETS - 1]!++;
    this.count++;
    this.sumUs += value;
    if (value > this.maxUs) this.maxUs = value;
  }

  merge(other: HistogramData): void {
    for (let i = 0; i < BUCKETS; i++) this.counts[i]! += other.counts[i] ?? 0;
    this.count += other.count;
    this.sumUs += other.sumUs;
    if (other.maxUs > this.maxUs) this.maxUs = other.maxUs;
  }

  /** The value at quantile q (0..1), as the upper edge of its bucket, in microseconds. */
  quantileUs(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.ceil(q * this.count);
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return Math.min(upperEdge(i), this.maxUs);
    }
    return this.maxUs;
  }

  toJSON(): HistogramData {
    return { counts: this.counts, count: this.count, maxUs: this.maxUs, sumUs: this.sumUs };
  }
}

/** A histogram as it crosses the IPC channel. */
export interface HistogramData {
  readonly counts: readonly number[];
  readonly count: number;
  readonly maxUs: number;
  readonly sumUs: number;
}

function upperEdge(index: number): number {
  return index < LINEAR_US ? index + 1 : LINEAR_US * Math.exp((index - LINEAR_US + 1) * GROWTH);
}

/** Builds a histogram back from its IPC form. */
export function histogramFrom(data: HistogramData): LatencyHistogram {
  const histogram = new LatencyHistogram(data.counts);
  histogram.count = data.count;
  histogram.maxUs = data.maxUs;
  histogram.sumUs = data.sumUs;
  return histogram;
}
