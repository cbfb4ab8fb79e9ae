import { CoalesceWindow } from './coalesce-window.js';

/** Something with queued frames to write. */
export interface Flushable {
  /** True while it waits in the scheduler's queue; only the scheduler sets it. */
  queued: boolean;
  /** When it last wrote (`performance.now()`, ms); only the scheduler sets it. */
  lastWriteAt: number;
  flush(): void;
}

/** Passes over at least this many connections read the CPU clock; smaller ones are estimated. @default 16 */
export const MEASURED_PASS_WRITES = 16;
/** CPU per connection written before any large pass measured it: a loopback write here. @default 0.015 */
const INITIAL_CPU_MS_PER_WRITE = 0.015;

/**
 * Batches socket writes: every connection that got frames during one turn of the event loop is
 * flushed once, with all its frames joined. One write per connection per tick is what makes high
 * rates cheap (a loopback socket write costs several microseconds of CPU, most of it in the kernel).
 *
 * With a coalescing window, a connection that wrote less than `coalesceMs` ago waits until the
 * window has passed, so a busy stream (100 events/s and more) sends several events per write while
 * a quiet one (chat, notifications) still writes each event at once. One timer for the whole node.
 * The window widens while writing saturates the process (see {@link CoalesceWindow}).
 */
export class WriteScheduler {
  private queue: Flushable[] = [];
  private deferred: Flushable[] = [];
  private scheduled = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly window: CoalesceWindow;
  /** CPU per connection written, as large passes measured it (moving average, ms). */
  private cpuMsPerWrite = INITIAL_CPU_MS_PER_WRITE;

  /**
   * @param coalesceMs the window; 0 writes every tick.
   * @param maxCoalesceMs how far the window may widen while writing saturates the process; at or below
   *   `coalesceMs` it never widens.
   */
  constructor(coalesceMs = 0, maxCoalesceMs = coalesceMs) {
    this.window = new CoalesceWindow(coalesceMs, maxCoalesceMs);
  }

  /** The coalescing window now, in milliseconds. */
  get windowMs(): number {
    return this.window.ms;
  }

  /** Stops adapting the window; queued writes still go out. */
  close(): void {
    this.window.close();
  }

  schedule(target: Flushable): void {
    if (target.queued) return;
    target.queued = true;
    this.queue.push(target);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flushAll);
    }
  }

  private readonly flushAll = (): void => {
    this.scheduled = false;
    const queue = this.queue;
    this.queue = [];
    const windowMs = this.window.ms;
    if (windowMs === 0) {
      for (const target of queue) this.write(target, 0);
      return;
    }
    const started = this.startPass(queue.length);
    const now = performance.now();
    let writes = 0;
    for (const target of queue) {
      if (now - target.lastWriteAt < windowMs) {
        this.deferred.push(target);
      } else {
        this.write(target, now);
        writes++;
      }
    }
    this.endPass(started, writes);
    this.armTimer(now);
  };

  private readonly flushDeferred = (): void => {
    this.timer = undefined;
    const started = this.startPass(this.deferred.length);
    const now = performance.now();
    const windowMs = this.window.ms;
    const deferred = this.deferred;
    this.deferred = [];
    let writes = 0;
    for (const target of deferred) {
      // Timers fire up to a millisecond early or late; anything within a millisecond is due.
      if (now - target.lastWriteAt < windowMs - 1) {
        this.deferred.push(target);
      } else {
        this.write(target, now);
        writes++;
      }
    }
    this.endPass(started, writes);
    this.armTimer(now);
  };

  /**
   * Reads the process's CPU time before a pass of at least {@link MEASURED_PASS_WRITES} connections. A
   * `getrusage` pair costs as much as a lone write here, and saturation only ever comes from large passes:
   * small ones are counted at the CPU per write the large ones measured.
   */
  private startPass(candidates: number): NodeJS.CpuUsage | undefined {
    return candidates >= MEASURED_PASS_WRITES ? process.cpuUsage() : undefined;
  }

  private endPass(started: NodeJS.CpuUsage | undefined, writes: number): void {
    if (writes === 0) return;
    if (started === undefined) return this.window.addWritingTime(writes * this.cpuMsPerWrite);
    const ms = cpuMsSince(started);
    this.window.addWritingTime(ms);
    this.cpuMsPerWrite += (ms / writes - this.cpuMsPerWrite) * 0.1;
  }

  private write(target: Flushable, now: number): void {
    target.queued = false;
    target.lastWriteAt = now;
    target.flush();
  }

  /** Wakes up when the earliest deferred connection's window has passed. */
  private armTimer(now: number): void {
    if (this.timer !== undefined || this.deferred.length === 0) return;
    let earliest = Infinity;
    for (const target of this.deferred) earliest = Math.min(earliest, target.lastWriteAt);
    this.timer = setTimeout(this.flushDeferred, Math.max(1, earliest + this.window.ms - now));
    this.timer.unref();
  }
}

/** CPU time (user + system, ms) this process spent since `started`: what writing cost, however the core was shared. */
function cpuMsSince(started: NodeJS.CpuUsage): number {
  const { user, system } = process.cpuUsage(started);
  return (user + system) / 1000;
}
