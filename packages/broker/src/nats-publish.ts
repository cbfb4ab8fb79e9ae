import type { PubAck } from '@nats-io/jetstream';
import { headers } from '@nats-io/transport-node';
import { encodeCursor } from '@ssehub/protocol';
import type { PublishInput, StoredEvent } from './broker.js';
import { idempotencyConflict } from './idempotent-replay.js';
import type { NatsLog } from './nats-read.js';
import { encodeBody, toStoredEvent, topicSubject } from './nats-stream.js';

/** Header of the first event of a keyed publish: how many events that publish held. */
export const BATCH_SIZE_HEADER = 'Ssehub-Batch-Size';

/** True when a publish found no stream listening on its subject (JetStream answers "no responders"). */
export function isNoStream(error: unknown): boolean {
  return error instanceof Error && error.name === 'JetStreamNotEnabled';
}

/** The stored original of a repeated key, or the input again when retention already removed it. */
async function original(log: NatsLog, seq: number, input: PublishInput, ts: number): Promise<StoredEvent> {
  const message = await log.jsm.streams.getMessage(log.names.stream, { seq });
  if (message) return toStoredEvent(log.names, log.epoch, message);
  return { id: encodeCursor({ epoch: log.epoch, positions: [seq] }), seq, topic: input.topic, type: input.type, data: input.data, ts };
}

function answer(log: NatsLog, ack: PubAck, input: PublishInput, ts: number): Promise<StoredEvent> | StoredEvent {
  if (ack.duplicate) return original(log, ack.seq, input, ts);
  return { id: encodeCursor({ epoch: log.epoch, positions: [ack.seq] }), seq: ack.seq, topic: input.topic, type: input.type, data: input.data, ts };
}

// Sent back to back on one connection, the stream stores them in this order; awaiting each ack
// first would cost one round trip per event.
function publishAll(log: NatsLog, inputs: readonly PublishInput[], ts: number, msgID?: (index: number) => string): Promise<PubAck[]> {
  return Promise.all(
    inputs.map((input, index) =>
      log.js.publish(topicSubject(log.names, input.topic), encodeBody(input, ts), msgID === undefined ? undefined : { msgID: msgID(index) }),
    ),
  );
}

/**
 * Appends events in order and answers them as stored. With an idempotency key each event carries
 * `Nats-Msg-Id` (`<key>` for the first, `<key>:<index>` after it), so a retry, from any node, gets
 * the first acks back. The first goes alone and records the batch size, so a retry whose first event
 * is a duplicate of a batch of another size is refused before it appends anything; the core compares
 * the events of a same-sized one.
 */
export async function publishEvents(log: NatsLog, inputs: readonly PublishInput[], key: string | undefined): Promise<StoredEvent[]> {
  const ts = Date.now();
  if (key === undefined) {
    const acks = await publishAll(log, inputs, ts);
    return Promise.all(acks.map((ack, index) => answer(log, ack, inputs[index]!, ts)));
  }
  const [head, ...tail] = inputs;
  if (head === undefined) return [];
  const batchSize = headers();
  batchSize.set(BATCH_SIZE_HEADER, String(inputs.length));
  const first = await log.js.publish(topicSubject(log.names, head.topic), encodeBody(head, ts), { msgID: key, headers: batchSize });
  if (first.duplicate) {
    const message = await log.jsm.streams.getMessage(log.names.stream, { seq: first.seq });
    if (message && Number(message.header?.get(BATCH_SIZE_HEADER) || '1') !== inputs.length) {
      throw idempotencyConflict();
    }
  }
  const rest = await publishAll(log, tail, ts, (index) => `${key}:${index + 1}`);
  return Promise.all([first, ...rest].map((ack, index) => answer(log, ack, inputs[index]!, ts)));
}
