import type { Broker, StoredEvent } from '../../src/broker.js';
import { sleep } from './wait.js';

/** [from, to) */
export const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

/** The `n` each event carries in its data. */
export const numbers = (events: readonly StoredEvent[]): number[] => events.map((event) => (event.data as { n: number }).n);

/** Publishes `{ n }` for n in [from, to), one acknowledged publish after another. */
export async function publishNumbered(broker: Broker, topic: string, from: number, to: number): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  for (const n of range(from, to)) out.push(...(await broker.publish([{ topic, type: 'test.n', data: { n } }])));
  return out;
}

/** A publish that failed: the `n` it carried, how long it took to fail, and why. */
export interface RejectedPublish {
  n: number;
  ms: number;
  error: unknown;
}

/** A publisher that publishes `{ n }` to one topic, one publish after another, until stopped. */
export interface PublishLoad {
  readonly acked: StoredEvent[];
  readonly rejected: RejectedPublish[];
  stop(): Promise<void>;
}

/** Options of {@link publishUntilStopped}. */
export interface PublishLoadOptions {
  /** How long to wait after a refused publish before the next one. @default 50 */
  pauseAfterFailureMs?: number;
}

/** Starts publishing until stopped, recording what was acknowledged and what was refused (and how fast). */
export function publishUntilStopped(broker: Broker, topic: string, { pauseAfterFailureMs = 50 }: PublishLoadOptions = {}): PublishLoad {
  const acked: StoredEvent[] = [];
  const rejected: RejectedPublish[] = [];
  let stopped = false;
  const running = (async () => {
    for (let n = 0; !stopped; n++) {
      const started = performance.now();
      try {
        acked.push(...(await broker.publish([{ topic, type: 'test.n', data: { n } }])));
      } catch (error) {
        rejected.push({ n, ms: performance.now() - started, error });
        await sleep(pauseAfterFailureMs);
      }
      await sleep(2);
    }
  })();
  return {
    acked,
    rejected,
    stop: () => {
      stopped = true;
      return running;
    },
  };
}
