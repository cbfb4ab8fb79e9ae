import { encodeCursor } from '@ssehub/protocol';
import type { PublishInput, StoredEvent } from './broker.js';
import type { NatsLog } from './nats-read.js';
import { encodeBody, toStoredEvent, topicSubject } from './nats-stream.js';

/** True when a publish found no stream listening on its subject (JetStream answers "no responders"). */
export function isNoStream(error: unknown): boolean {
  return error instanceof Error && error.name === 'JetStreamNotEnabled';
}

/** A repeated idempotency key: the stored original, or the input again when retention already removed it. */
async function original(log: NatsLog, seq: number, input: PublishInput, ts: number): Promise<StoredEvent> {
  const message = await log.jsm.streams.getMessage(log.names.stream, { seq });
  if (message) return toStoredEvent(log.names, log.epoch, message);
  return { id: encodeCursor({ epoch: log.epoch, positions: [seq] }), seq, topic: input.topic, type: input.type, data: input.data, ts };
}

/**
 * Appends events in order and answers them as stored. Each carries `Nats-Msg-Id` = the idempotency
 * key (`<key>:<index>` in a batch), so a retry, from any node, gets the first acks back.
 */
export async function publishEvents(log: NatsLog, inputs: readonly PublishInput[], key: string | undefined): Promise<StoredEvent[]> {
  const ts = Date.now();
  // Sent back to back on one connection, the stream stores them in this order; awaiting each ack
  // first would cost one round trip per event.
  const acks = await Promise.all(
    inputs.map((input, index) => {
      const msgID = key === undefined ? undefined : inputs.length === 1 ? key : `${key}:${index}`;
      return log.js.publish(topicSubject(log.names, input.topic), encodeBody(input, ts), msgID === undefined ? undefined : { msgID });
    }),
  );
  return Promise.all(
    acks.map((ack, index) => {
      const input = inputs[index]!;
      if (ack.duplicate) return original(log, ack.seq, input, ts);
      const id = encodeCursor({ epoch: log.epoch, positions: [ack.seq] });
      return { id, seq: ack.seq, topic: input.topic, type: input.type, data: input.data, ts };
    }),
  );
}
