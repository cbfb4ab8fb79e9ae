import { MAX_CURSOR_LENGTH, decodePartitionCursor, partitionOf } from '@ssehub/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import type { Broker, RetentionOptions } from '../broker.js';
import { collect, expectSequence } from './collect.js';
import { numbers, publishNumbered, range } from './numbered.js';
import { uniquePrefix } from './unique-prefix.js';

/** How a backend's test file hands the partition suite fresh partitioned brokers. */
export interface PartitionConformanceTarget {
  readonly name: string;
  /** A broker over `partitions` logs of its own, named by `prefix`; the same prefix opens another node on them. */
  create(options: RetentionOptions & { prefix: string; partitions: number }): Promise<Broker>;
  /** True when every broker it creates is a log of its own (memory): the cases with two nodes use one. */
  readonly inProcess?: boolean;
}

/** `count` topics, each in a partition of its own out of `partitions`. */
export function topicsInDistinctPartitions(count: number, partitions: number, stem = 'rooms/p'): string[] {
  const byPartition = new Map<number, string>();
  for (let n = 0; byPartition.size < count; n++) {
    const topic = `${stem}${n}`;
    const index = partitionOf(topic, partitions);
    if (!byPartition.has(index)) byPartition.set(index, topic);
  }
  return [...byPartition.values()];
}

/** A topic in the same partition as `topic`, other than it. */
export function topicBeside(topic: string, partitions: number): string {
  for (let n = 0; ; n++) {
    const candidate = `${topic}-beside${n}`;
    if (partitionOf(candidate, partitions) === partitionOf(topic, partitions)) return candidate;
  }
}

/**
 * What a partitioned log adds to the delivery contract: one token resumes every partition of a stream,
 * a topic set that changed resumes what the token covers and starts the rest live, a batch over
 * several partitions is idempotent as a whole, and the token stays within 256 characters.
 */
export function describePartitionConformance(target: PartitionConformanceTarget): void {
  describe(`${target.name} partitioned log`, () => {
    const open: Broker[] = [];
    async function broker(partitions: number, prefix = uniquePrefix('part')): Promise<Broker> {
      const created = await target.create({ prefix, partitions });
      open.push(created);
      return created;
    }
    afterEach(async () => {
      await Promise.all(open.splice(0).map((b) => b.close()));
    });

    it('resumes a stream over four partitions from its last id: every missed event once, in order per topic', async () => {
      const b = await broker(4);
      const topics = topicsInDistinctPartitions(4, 4);
      const first = await collect(b, topics);
      for (const [at, topic] of topics.entries()) await publishNumbered(b, topic, at * 100, at * 100 + 3);
      await first.waitFor(12);
      expectSequence(first.events, topics.flatMap((_, at) => range(at * 100, at * 100 + 3)));
      const lastId = first.events.at(-1)!.id;
      expect(decodePartitionCursor(lastId)?.positions.size).toBe(4);
      first.subscription.close();
      for (const [at, topic] of topics.entries()) await publishNumbered(b, topic, at * 100 + 3, at * 100 + 6);
      const again = await collect(b, topics, lastId);
      expect(again.resets).toEqual([]);
      expect(again.subscription.resumed).toBe(true);
      expect(again.subscription.resumedTopics).toEqual(topics);
      await again.waitFor(12);
      for (const topic of topics) await again.settle(b, topic);
      expectSequence(again.events, topics.flatMap((_, at) => range(at * 100 + 3, at * 100 + 6)));
    });

    it('resumes on another node from the id of any event: what came after it, in every partition', async () => {
      const prefix = uniquePrefix('part');
      const one = await broker(4, prefix);
      const other = target.inProcess ? one : await broker(4, prefix);
      const [a, c] = topicsInDistinctPartitions(2, 4);
      const first = await collect(one, [a!, c!]);
      await publishNumbered(one, a!, 0, 2);
      await publishNumbered(one, c!, 10, 12);
      await first.waitFor(4);
      first.subscription.close();
      await publishNumbered(one, a!, 2, 3);
      await publishNumbered(one, c!, 12, 13);
      // The second event's id holds both partitions' positions as of then: the rest follows it.
      const resumed = await collect(other, [a!, c!], first.events[1]!.id);
      expect(resumed.subscription.resumed).toBe(true);
      await resumed.waitFor(4);
      await resumed.settle(other, a!);
      await resumed.settle(other, c!);
      expectSequence(resumed.events, [...numbers(first.events.slice(2)), 2, 12]);
    });

    it('starts a topic of a partition the id does not cover live, and says which topics resumed', async () => {
      const b = await broker(4);
      const [a, c] = topicsInDistinctPartitions(2, 4);
      const first = await collect(b, [a!]);
      await publishNumbered(b, a!, 0, 2);
      await first.waitFor(2);
      first.subscription.close();
      await publishNumbered(b, a!, 2, 3);
      await publishNumbered(b, c!, 50, 51);
      const again = await collect(b, [a!, c!], first.events.at(-1)!.id);
      expect(again.resets).toEqual([]);
      expect(again.subscription.resumed).toBe(false);
      expect(again.subscription.resumedTopics).toEqual([a]);
      await publishNumbered(b, c!, 51, 52);
      await again.settle(b, a!);
      await again.settle(b, c!);
      // a's missed event is replayed; c's 50, published before c was in the stream, is not.
      expectSequence(again.events, [2, 51]);
    });

    it('appends no part of a batch over several partitions twice when it is retried under its key', async () => {
      const b = await broker(4);
      const [a, c, d] = topicsInDistinctPartitions(3, 4);
      const batch = [
        { topic: a!, type: 'test.n', data: { n: 0 } },
        { topic: c!, type: 'test.n', data: { n: 1 } },
        { topic: d!, type: 'test.n', data: { n: 2 } },
        { topic: a!, type: 'test.n', data: { n: 3 } },
      ];
      const key = uniquePrefix('batch');
      const first = await b.publish(batch, { idempotencyKey: key });
      const retried = await b.publish(batch, { idempotencyKey: key });
      expect(retried.map((event) => event.id)).toEqual(first.map((event) => event.id));
      expect(first.map((event) => event.topic)).toEqual(batch.map((event) => event.topic));
      for (const topic of [a!, c!, d!]) {
        const page = await b.history(topic, { limit: 10 });
        expectSequence(page.events, batch.filter((event) => event.topic === topic).map((event) => event.data.n));
      }
      await expect(b.publish([batch[0]!, { ...batch[1]!, data: { n: 9 } }], { idempotencyKey: key })).rejects.toMatchObject({ code: 'idempotency_conflict' });
      expectSequence((await b.history(c!, { limit: 10 })).events, [1]);
    });

    it(`keeps a stream's id within ${MAX_CURSOR_LENGTH} characters over 32 topics in 32 of 64 partitions`, async () => {
      const b = await broker(64);
      const topics = topicsInDistinctPartitions(32, 64);
      const sub = await collect(b, topics);
      expect(sub.subscription.cursor.length).toBeLessThanOrEqual(MAX_CURSOR_LENGTH);
      for (const [at, topic] of topics.entries()) await publishNumbered(b, topic, at, at + 1);
      await sub.waitFor(32);
      const lengths = sub.events.map((event) => event.id.length);
      expect(Math.max(...lengths)).toBeLessThanOrEqual(MAX_CURSOR_LENGTH);
      expect(decodePartitionCursor(sub.events.at(-1)!.id)?.positions.size).toBe(32);
      sub.subscription.close();
      await publishNumbered(b, topics[5]!, 100, 101);
      const again = await collect(b, topics, sub.events.at(-1)!.id);
      await again.settle(b, topics[5]!);
      expectSequence(again.events, [100]);
    });
  });
}
