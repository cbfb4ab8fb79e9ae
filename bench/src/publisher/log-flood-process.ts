import { createBroker, type Broker, type BrokerSubscription, type StoredEvent } from '@ssehub/broker';
import { serveIpc } from '../ipc.js';
import { PAYLOAD_PAD, clockMs, type BenchPayload } from './pacer.js';
import type { FloodRequest, FloodResult } from './log-flood-protocol.js';

// S7's client: publishes to one broker deployment as fast as it acknowledges (a closed loop of
// `concurrency` publishes in flight, one event each, round-robin over the topics) and follows every
// topic as a gateway node would, checking each topic's `n` so a fast figure cannot hide a lost event.

/** Stop waiting for the followed deliveries after this long without one (a NATS cluster follower paused over 1.5 s here). @default 5000 */
const QUIET_MS = 5000;

/** Counts one node's deliveries per topic: the highest `n` seen, duplicates and events out of order. */
class FollowedTopics {
  received = 0;
  duplicates = 0;
  reordered = 0;
  private readonly highest = new Map<string, number>();

  onEvent(event: StoredEvent): void {
    const { n } = event.data as BenchPayload;
    const before = this.highest.get(event.topic) ?? 0;
    if (n === before) this.duplicates++;
    else if (n < before) this.reordered++;
    else this.highest.set(event.topic, n);
    this.received++;
  }

  reset(): void {
    this.received = this.duplicates = this.reordered = 0;
  }
}

interface Open {
  readonly broker: Broker;
  readonly subscription: BrokerSubscription;
  readonly topics: readonly string[];
  readonly follow: FollowedTopics;
  readonly failures: string[];
  readonly numbers: Map<string, number>;
}

let open: Open | undefined;

async function untilQuiet(follow: FollowedTopics, expected: number): Promise<void> {
  let last = -1;
  let quietSince = performance.now();
  while (follow.received - follow.duplicates < expected) {
    if (follow.received !== last) [last, quietSince] = [follow.received, performance.now()];
    else if (performance.now() - quietSince > QUIET_MS) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function flood({ broker, topics, follow, failures, numbers }: Open, concurrency: number, durationMs: number): Promise<FloodResult> {
  follow.reset();
  failures.length = 0;
  let issued = 0;
  let acked = 0;
  const start = performance.now();
  let lastAck = start;
  const loop = async (): Promise<void> => {
    while (performance.now() - start < durationMs) {
      const topic = topics[issued++ % topics.length]!;
      const n = (numbers.get(topic) ?? 0) + 1;
      numbers.set(topic, n);
      const data: BenchPayload = { n, t: clockMs(), p: PAYLOAD_PAD };
      try {
        await broker.publish([{ topic, type: 'bench', data }]);
        acked++;
        lastAck = performance.now();
      } catch (error) {
        // A failed publish leaves a hole in its topic's `n`; it is counted, not retried.
        failures.push((error as Error).message);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  await untilQuiet(follow, acked);
  return {
    acked,
    failed: failures.length,
    ...(failures[0] === undefined ? {} : { firstError: failures[0] }),
    elapsedMs: Math.round(lastAck - start),
    received: follow.received,
    lost: Math.max(0, acked - (follow.received - follow.duplicates)),
    duplicates: follow.duplicates,
    reordered: follow.reordered,
  };
}

serveIpc(async (request: FloodRequest) => {
  switch (request.op) {
    case 'open': {
      const broker = await createBroker(request.url, { prefix: request.prefix });
      const follow = new FollowedTopics();
      const failures: string[] = [];
      const subscription = await broker.subscribe({ topics: request.topics }, {
        onEvent: (event) => follow.onEvent(event),
        onError: (error) => failures.push(`following: ${error.message}`),
      });
      open = { broker, subscription, topics: request.topics, follow, failures, numbers: new Map() };
      return true;
    }
    case 'flood':
      if (!open) throw new Error('flood before open');
      return flood(open, request.concurrency, request.durationMs);
    case 'close':
      open?.subscription.close();
      await open?.broker.close();
      open = undefined;
      return true;
  }
});
