import { until } from './wait.js';

/**
 * What {@link collect} needs of a broker: its `subscribe`. Written out here rather than imported, since
 * the broker's own tests use this package.
 */
export interface Subscribable<E> {
  subscribe(
    options: { topics: string[]; after?: string },
    listener: { onEvent(event: E): void; onReset?(reason: string): void; onError?(error: Error): void },
  ): Promise<{ close(): void }>;
}

/** What one test subscription received, in arrival order. */
export interface Collected<E> {
  readonly events: E[];
  readonly resets: string[];
  readonly errors: Error[];
  /** Resolves with the events once `count` arrived; rejects after `timeoutMs` (10 s unless told). */
  waitFor(count: number, timeoutMs?: number): Promise<E[]>;
  close(): void;
}

/**
 * Subscribes to `topics` (live from now, or from `after`) and records everything it receives. To show
 * that something was NOT delivered, publish a sentinel after it and wait for the sentinel: delivery is
 * in order, so once the sentinel is there, anything before it would be too.
 */
export async function collect<E>(broker: Subscribable<E>, topics: string[], after?: string): Promise<Collected<E>> {
  const events: E[] = [];
  const resets: string[] = [];
  const errors: Error[] = [];
  const subscription = await broker.subscribe(
    { topics, after },
    { onEvent: (event) => events.push(event), onReset: (reason) => resets.push(reason), onError: (error) => errors.push(error) },
  );
  return {
    events,
    resets,
    errors,
    waitFor: async (count, timeoutMs = 10_000) => {
      await until(() => events.length >= count, `${count} events (have ${events.length})`, timeoutMs);
      return events;
    },
    close: () => subscription.close(),
  };
}
