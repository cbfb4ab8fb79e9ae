/** How often the share of CPU spent writing is sampled. */
export const SAMPLE_MS = 500;
/** Share of a sample that writing took of this process's CPU at or above which the window is too narrow. */
export const WIDEN_AT_WRITE_SHARE = 0.6;
/** Samples in a row at that share before the window doubles: one heartbeat round is not saturation. */
export const WIDEN_AFTER_SAMPLES = 2;
/** Share at or below which the window is back at its base. */
export const NARROW_AT_WRITE_SHARE = 0.25;

/**
 * The write coalescing window, widened while writing saturates the process.
 *
 * A loopback socket write costs about 10 µs of CPU whatever it carries, so a gateway that writes each
 * event on its own to thousands of streams runs out of CPU near 100,000 writes/s and falls behind.
 * When writing takes 60% of a core for a second (two samples in a row), the window doubles (up to
 * `maxMs`): each write then carries more events, and the same deliveries need fewer writes. When
 * writing takes 25% or less, the window is back at `baseMs`. Only the CPU time of writing counts: a
 * burst of new connections, or a core shared with other processes, never widens it. A gateway with
 * CPU to spare never waits longer than the base window; a saturated one trades latency it is already
 * losing for throughput.
 */
export class CoalesceWindow {
  /** The window now, in milliseconds. */
  ms: number;
  private writingMs = 0;
  private saturatedSamples = 0;
  private sampledAt = performance.now();
  private readonly timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly baseMs: number,
    private readonly maxMs: number,
  ) {
    this.ms = baseMs;
    if (maxMs > baseMs && baseMs > 0) {
      this.timer = setInterval(() => this.sample(), SAMPLE_MS);
      this.timer.unref();
    }
  }

  /** Adds CPU time spent writing (one pass of the scheduler over its due connections), in ms. */
  addWritingTime(ms: number): void {
    this.writingMs += ms;
  }

  /** Moves the window one step for the share (0-1) of the last sample spent writing. */
  adapt(writeShare: number): void {
    this.saturatedSamples = writeShare >= WIDEN_AT_WRITE_SHARE ? this.saturatedSamples + 1 : 0;
    if (this.saturatedSamples >= WIDEN_AFTER_SAMPLES) {
      this.ms = Math.min(this.maxMs, this.ms * 2);
      this.saturatedSamples = 0;
    } else if (writeShare <= NARROW_AT_WRITE_SHARE) {
      this.ms = this.baseMs;
    }
  }

  close(): void {
    clearInterval(this.timer);
  }

  private sample(): void {
    const now = performance.now();
    this.adapt(this.writingMs / (now - this.sampledAt));
    this.writingMs = 0;
    this.sampledAt = now;
  }
}
