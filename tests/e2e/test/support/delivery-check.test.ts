import { encodePartitionCursor, partitionOf } from '@ssehub/protocol';
import { describe, expect, it } from 'vitest';
import { checkDelivery, ownPosition, perfectDelivery, type Ack, type Delivered } from './delivery-check.js';

const P = 8;

/** Two topics in different partitions of {@link P}, found the way the scenarios pick them. */
function twoPartitions(): [string, string] {
  const a = 'rooms/check-a';
  for (let i = 0; ; i += 1) {
    const b = `rooms/check-b${i}`;
    if (partitionOf(b, P) !== partitionOf(a, P)) return [a, b];
  }
}
const [A, B] = twoPartitions();
const pa = partitionOf(A, P);
const pb = partitionOf(B, P);

/** A stream's token naming both partitions at these positions. */
const token = (atA: number, atB: number): string => encodePartitionCursor({ partitions: P, positions: new Map([[pa, atA], [pb, atB]]) });
/** A publish acknowledgement: the token of the event's own partition only. */
const ackOf = (n: number, topic: string, at: number): Ack => ({
  n,
  topic,
  id: encodePartitionCursor({ partitions: P, positions: new Map([[partitionOf(topic, P), at]]) }),
});

// Events 0..3 alternate A, B, A, B at positions 100, 200, 101, 201 of their own partitions.
const acks: Ack[] = [ackOf(0, A, 100), ackOf(1, B, 200), ackOf(2, A, 101), ackOf(3, B, 201)];
/** What a client over both topics gets: each id carries the position of both partitions at that point. */
const stream: Delivered[] = [
  { n: 0, topic: A, id: token(100, 199) },
  { n: 1, topic: B, id: token(100, 200) },
  { n: 2, topic: A, id: token(101, 200) },
  { n: 3, topic: B, id: token(101, 201) },
];

describe('ownPosition', () => {
  it("reads the position of the topic's own partition from a token over several", () => {
    expect(ownPosition(token(7, 9), A)).toEqual({ log: `${pa}/${P}`, position: 7 });
    expect(ownPosition(token(7, 9), B)).toEqual({ log: `${pb}/${P}`, position: 9 });
  });

  it('reads the sequence of a single-log id', () => {
    expect(ownPosition('mwy0ap8c-18', A)).toEqual({ log: 'mwy0ap8c', position: 18 });
  });

  it('refuses a token that names no position for the topic', () => {
    expect(() => ownPosition(ackOf(0, A, 1).id, B)).toThrow(/names no position for topic/);
  });
});

describe('checkDelivery over partitioned ids', () => {
  it("accepts a stream over two partitions whose ids differ from the acknowledgements' but name the same positions", () => {
    expect(checkDelivery(stream, acks)).toEqual(perfectDelivery(4));
  });

  it('accepts topics of different partitions interleaved in any order, each in order', () => {
    const interleaved = [stream[1]!, stream[0]!, stream[3]!, stream[2]!];
    expect(checkDelivery(interleaved, acks)).toEqual(perfectDelivery(4));
  });

  it('counts one topic going backwards, even when the other partition moved on', () => {
    const backwards: Delivered[] = [stream[0]!, { n: 2, topic: A, id: token(101, 200) }, { n: 0, topic: A, id: token(100, 250) }];
    expect(checkDelivery(backwards, acks.slice(0, 3))).toMatchObject({ outOfOrder: 1, duplicated: [0], missing: [1] });
  });

  it("counts an event whose own partition's position is not its acknowledgement's", () => {
    const shifted: Delivered[] = [...stream.slice(0, 3), { n: 3, topic: B, id: token(101, 202) }];
    expect(checkDelivery(shifted, acks)).toMatchObject({ wrongId: 1, outOfOrder: 0 });
  });

  it('counts an event delivered on another topic than it was published to', () => {
    const misfiled: Delivered[] = [...stream.slice(0, 3), { n: 3, topic: A, id: token(102, 201) }];
    expect(checkDelivery(misfiled, acks).wrongId).toBe(1);
  });
});

describe('checkDelivery over single-log ids', () => {
  const single: Ack[] = [0, 1, 2].map((n) => ({ n, topic: A, id: `mwy0ap8c-${10 + n}` }));

  it('accepts every event once in log order', () => {
    expect(checkDelivery(single, single)).toEqual(perfectDelivery(3));
  });

  it('counts lost, repeated, out-of-order and wrong-epoch deliveries', () => {
    const got: Delivered[] = [single[0]!, single[2]!, { ...single[0]!, id: 'otherepoch-10' }];
    expect(checkDelivery(got, single)).toEqual({ received: 3, missing: [1], duplicated: [0], outOfOrder: 1, wrongId: 1 });
  });
});
