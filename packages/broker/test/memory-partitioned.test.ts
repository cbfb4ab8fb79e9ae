import { createBroker, createPartitionedBroker, composeBroker, type Broker, type PartitionLog } from '@ssehub/broker';
import { describeBrokerConformance, describePartitionConformance } from '@ssehub/broker/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { collect, expectSequence } from '../src/testing/collect.js';
import { publishNumbered } from '../src/testing/numbered.js';
import { topicsInDistinctPartitions } from '../src/testing/partition-conformance.js';
import { until } from '../src/testing/wait.js';
import { createMemoryBackend } from '../src/memory.js';
import { createMemoryPresenceStore } from '../src/memory-presence.js';

// The same delivery contract over four partitions: every test's topics spread over several logs.
describeBrokerConformance({ name: 'memory, 4 partitions', create: (options) => createBroker('memory://?partitions=4', options) });
describePartitionConformance({
  name: 'memory',
  create: ({ partitions, ...options }) => createBroker(`memory://?partitions=${partitions}`, options),
  inProcess: true,
});

describe('memory partitioned log, one partition recreated', () => {
  const open: Broker[] = [];
  afterEach(async () => void (await Promise.all(open.splice(0).map((b) => b.close()))));

  const presence = createMemoryPresenceStore();
  const memoryLog = (): PartitionLog => composeBroker((hooks) => createMemoryBackend({}, hooks), presence);
  async function partitioned(logs: PartitionLog[]): Promise<Broker> {
    const broker = await createPartitionedBroker('memory', logs, presence);
    open.push(broker);
    return broker;
  }

  it('resets only the topics of the partition whose log was recreated; the others resume', async () => {
    const logs = [memoryLog(), memoryLog(), memoryLog(), memoryLog()];
    const before = await partitioned(logs);
    const [a, c] = topicsInDistinctPartitions(2, 4);
    const first = await collect(before, [a!, c!]);
    await publishNumbered(before, a!, 0, 2);
    await publishNumbered(before, c!, 10, 12);
    await first.waitFor(4);
    first.subscription.close();
    await publishNumbered(before, a!, 2, 3);
    // c's log is lost and recreated (a later epoch): a node that comes up on the new one.
    const lostAt = Date.now();
    await until(() => Date.now() > lostAt, 'a later millisecond for the new epoch');
    const recreated = [...logs];
    const { partitionOf } = await import('@ssehub/protocol');
    recreated[partitionOf(c!, 4)] = memoryLog();
    const after = await partitioned(recreated);
    await publishNumbered(after, c!, 20, 23);
    const resets: { reason: string; topics?: readonly string[] }[] = [];
    const events: { topic: string; n: number }[] = [];
    const sub = await after.subscribe(
      { topics: [a!, c!], after: first.events.at(-1)!.id },
      {
        onEvent: (event) => events.push({ topic: event.topic, n: (event.data as { n: number }).n }),
        onReset: (reason, topics) => resets.push({ reason, topics }),
      },
    );
    expect(resets).toEqual([{ reason: 'epoch', topics: [c] }]);
    expect(sub.resumedTopics).toEqual([a]);
    // a resumed with its missed event; c starts live on its new log, nothing silently skipped.
    await publishNumbered(after, c!, 23, 24);
    await until(() => events.length >= 2, 'a\'s replay and c\'s live event');
    expect(events).toEqual([
      { topic: a, n: 2 },
      { topic: c, n: 23 },
    ]);
    sub.close();
  });

  it('treats an id of a single log, or of another partition count, as a reset of every topic', async () => {
    const single = await createBroker('memory://');
    open.push(single);
    const [event] = await publishNumbered(single, 'rooms/a', 0, 1);
    const four = await partitioned([memoryLog(), memoryLog(), memoryLog(), memoryLog()]);
    const eight = await createBroker('memory://?partitions=8');
    open.push(eight);
    const [fromEight] = await publishNumbered(eight, 'rooms/a', 0, 1);
    for (const id of [event!.id, fromEight!.id]) {
      const sub = await collect(four, ['rooms/a', 'rooms/b'], id);
      expect(sub.resets).toEqual(['epoch', 'epoch']);
      await publishNumbered(four, 'rooms/a', 5, 6);
      await sub.settle(four, 'rooms/a');
      expectSequence(sub.events, [5]);
      sub.subscription.close();
    }
  });
});
