import type { Broker, PublishInput } from '@ssehub/broker';
import { SsehubError, type PublishResponse } from '@ssehub/protocol';
import type { Request } from 'express';
import type { IngestMetrics } from './metrics.js';

// Visible ASCII only: the key ends up in Redis keys and NATS headers, where spaces and controls do not belong.
const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,200}$/;

/** Appends events and answers their acks `{id, topic, type}`, in order. */
export type Publisher = (inputs: readonly PublishInput[], idempotencyKey?: string) => Promise<PublishResponse[]>;

/** The `Idempotency-Key` header, or a 400 when it is present but not 1-200 visible ASCII characters. */
export function readIdempotencyKey(req: Request): string | undefined {
  const value = req.headers['idempotency-key'];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !IDEMPOTENCY_KEY_PATTERN.test(value)) {
    throw new SsehubError('bad_request', 'Idempotency-Key must be 1-200 visible ASCII characters');
  }
  return value;
}

/** A publisher over `broker` that times each publish and counts accepted events. */
export function createPublisher(broker: Broker, metrics: IngestMetrics): Publisher {
  return async (inputs, idempotencyKey) => {
    const stopTimer = metrics.publishSeconds.startTimer();
    const stored = await broker.publish(inputs, idempotencyKey === undefined ? {} : { idempotencyKey });
    stopTimer();
    metrics.eventsPublished.inc(stored.length);
    return stored.map(({ id, topic, type }) => ({ id, topic, type }));
  };
}
