/** Something with queued frames to write. */
export interface Flushable {
  /** True while it waits in the scheduler's queue; only the scheduler sets it. */
  queued: boolean;
  flush(): void;
}

/**
 * Batches socket writes per tick: every connection that got frames during one turn of the event loop
 * is flushed once, with all its frames joined. One write per connection per tick is what makes high
 * rates cheap (a loopback socket write costs several microseconds of CPU).
 */
export class WriteScheduler {
  private queue: Flushable[] = [];
  private scheduled = false;

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
    for (const target of queue) {
      target.queued = false;
      target.flush();
    }
  };
}
