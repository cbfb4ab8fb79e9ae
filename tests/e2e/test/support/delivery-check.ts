// The per-client delivery check of the cluster tests: what a client got against what was acknowledged,
// per topic, for single-log ids (`<epoch>-<seq>`) and partitioned tokens (`~…`) alike.
import { decodeAnyCursor, decodeCursor, partitionOf } from '@ssehub/protocol';

/** One acknowledged publish: sequence number, the topic it went to and the id the broker assigned. */
export interface Ack {
  readonly n: number;
  readonly topic: string;
  readonly id: string;
}

/** A delivered event, as the checks see it: its stream id, its topic and the publisher's number. */
export interface Delivered {
  readonly id: string;
  readonly topic: string;
  readonly n: number;
}

/** What went wrong for one client, empty arrays and zeros when nothing did. */
export interface DeliveryVerdict {
  readonly received: number;
  /** Acknowledged sequence numbers never delivered (first 20). */
  readonly missing: number[];
  /** Sequence numbers delivered more than once (first 20). */
  readonly duplicated: number[];
  /** Deliveries whose topic's position was not above that of the topic's previous delivery. */
  readonly outOfOrder: number;
  /** Deliveries whose own position differs from the one the publish was acknowledged with. */
  readonly wrongId: number;
}

/** Where an event id puts its event: the log (epoch, or partition of a token) and the position in it. */
export interface OwnPosition {
  readonly log: string;
  readonly position: number;
}

/**
 * The position of `topic`'s event that an id carries: the sequence of a single-log id, or in a
 * partitioned token (which holds one position per partition of the stream) that of the topic's partition.
 */
export function ownPosition(id: string, topic: string): OwnPosition {
  const parsed = decodeAnyCursor(id);
  if (parsed?.kind === 'log') {
    const position = parsed.cursor.positions[0];
    if (position !== undefined) return { log: parsed.cursor.epoch, position };
  } else if (parsed?.kind === 'partitioned') {
    const partition = partitionOf(topic, parsed.cursor.partitions);
    const position = parsed.cursor.positions.get(partition);
    if (position !== undefined) return { log: `${partition}/${parsed.cursor.partitions}`, position };
  }
  throw new Error(`event id ${id} names no position for topic ${topic}`);
}

/** The log position a single-log event id carries (ids order events; sequence numbers `n` need not, with concurrent publishes). */
export function sequenceOf(id: string): number {
  const position = decodeCursor(id)?.positions[0];
  if (position === undefined) throw new Error(`malformed event id ${id}`);
  return position;
}

/**
 * Compares what a client got with what was acknowledged: nothing lost, nothing twice, and per topic
 * increasing positions (a stream over topics in several partitions has no order across them).
 */
export function checkDelivery(delivered: readonly Delivered[], acks: readonly Ack[]): DeliveryVerdict {
  const ackByN = new Map(acks.map((ack) => [ack.n, ack]));
  const seen = new Map<number, number>();
  const lastByTopic = new Map<string, number>();
  let outOfOrder = 0;
  let wrongId = 0;
  for (const event of delivered) {
    seen.set(event.n, (seen.get(event.n) ?? 0) + 1);
    const own = ownPosition(event.id, event.topic);
    const ack = ackByN.get(event.n);
    if (ack && (ack.topic !== event.topic || !samePosition(own, ack))) wrongId += 1;
    const last = lastByTopic.get(event.topic);
    if (last !== undefined && own.position <= last) outOfOrder += 1;
    lastByTopic.set(event.topic, own.position);
  }
  return {
    received: delivered.length,
    missing: acks.filter((ack) => !seen.has(ack.n)).map((ack) => ack.n).slice(0, 20),
    duplicated: [...seen].filter(([, times]) => times > 1).map(([n]) => n).slice(0, 20),
    outOfOrder,
    wrongId,
  };
}

/** True when the acknowledgement names the position `own`: same log (epoch or partition), same position. */
function samePosition(own: OwnPosition, ack: Ack): boolean {
  const acked = ownPosition(ack.id, ack.topic);
  return acked.log === own.log && acked.position === own.position;
}

/** The verdict every client must get. */
export function perfectDelivery(count: number): DeliveryVerdict {
  return { received: count, missing: [], duplicated: [], outOfOrder: 0, wrongId: 0 };
}
