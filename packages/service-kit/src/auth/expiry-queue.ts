/** Options of {@link createExpiryQueue}. */
export interface ExpiryQueueOptions {
  readonly now?: () => number;
}

/** Runs callbacks when their time comes, with one timer for the whole node. */
export interface ExpiryQueue {
  /** Calls `onExpire` at `atMs` (ms since the epoch); answers a function that cancels it. */
  add(atMs: number, onExpire: () => void): () => void;
  /** Entries waiting, cancelled ones not yet dropped included. */
  size(): number;
  /** Stops the timer; nothing fires after. */
  close(): void;
}

interface Entry {
  readonly at: number;
  fire: (() => void) | undefined;
}

// setTimeout takes at most 2^31-1 ms; later deadlines are re-armed when that timer fires.
const MAX_DELAY_MS = 2_147_483_647;

/**
 * A min-heap of deadlines with a single timer armed for the earliest: the cost per open stream is one
 * heap entry, not one timer. Cancelled entries are dropped lazily, and the heap is rebuilt when they
 * make up most of it, so a churn of short connections with long tokens stays bounded.
 */
export function createExpiryQueue(options: ExpiryQueueOptions = {}): ExpiryQueue {
  const now = options.now ?? Date.now;
  let heap: Entry[] = [];
  let cancelled = 0;
  let timer: NodeJS.Timeout | undefined;
  let armedFor = Number.POSITIVE_INFINITY;
  let closed = false;

  const less = (i: number, j: number): boolean => heap[i]!.at < heap[j]!.at;
  const swap = (i: number, j: number): void => void ([heap[i], heap[j]] = [heap[j]!, heap[i]!]);
  function up(i: number): void {
    for (let parent = (i - 1) >> 1; i > 0 && less(i, parent); i = parent, parent = (i - 1) >> 1) swap(i, parent);
  }
  function down(i: number): void {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let min = i;
      if (l < heap.length && less(l, min)) min = l;
      if (r < heap.length && less(r, min)) min = r;
      if (min === i) return;
      swap(i, min);
      i = min;
    }
  }
  function pop(): Entry {
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      down(0);
    }
    return top;
  }
  function arm(): void {
    const head = heap[0];
    if (closed || head === undefined || head.at >= armedFor) return;
    if (timer) clearTimeout(timer);
    armedFor = head.at;
    timer = setTimeout(expire, Math.min(MAX_DELAY_MS, Math.max(0, head.at - now())));
    timer.unref();
  }
  function expire(): void {
    timer = undefined;
    armedFor = Number.POSITIVE_INFINITY;
    const time = now();
    while (heap.length > 0 && heap[0]!.at <= time) {
      const entry = pop();
      const fire = entry.fire;
      // Cleared first, so a cancel that comes after the firing does not count as a waiting cancellation.
      entry.fire = undefined;
      if (fire === undefined) cancelled -= 1;
      else fire();
    }
    arm();
  }
  function compact(): void {
    heap = heap.filter((entry) => entry.fire !== undefined);
    cancelled = 0;
    for (let i = (heap.length >> 1) - 1; i >= 0; i -= 1) down(i);
  }

  return {
    add(atMs, onExpire) {
      const entry: Entry = { at: atMs, fire: onExpire };
      heap.push(entry);
      up(heap.length - 1);
      arm();
      return () => {
        if (entry.fire === undefined) return;
        entry.fire = undefined;
        cancelled += 1;
        if (cancelled > 1024 && cancelled * 2 > heap.length) compact();
      };
    },
    size: () => heap.length,
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      heap = [];
    },
  };
}
