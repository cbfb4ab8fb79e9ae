import type { Broker, StoredEvent } from '../../src/broker.js';
import { sleep } from './wait.js';

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
