import { createHash } from 'node:crypto';
import type { Broker, PublishInput } from '@ssehub/broker';
import { SsehubError, type PublishResponse } from '@ssehub/protocol';
import type { Request } from 'express';
import type { IngestMetrics } from './metrics.js';

// Visible ASCII only: the key ends up in Redis keys and NATS headers, where spaces and controls do not belong.
const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,200}$/;

/** Appends events and answers their acks `{id, topic, type}`, in order; `caller` as the publish gate answered it. */
export type Publisher = (inputs: readonly PublishInput[], caller: string, idempotencyKey?: string) => Promise<PublishResponse[]>;

/** The `Idempotency-Key` header, or a 400 when it is present but not 1-200 visible ASCII characters. */
export function readIdempotencyKey(req: Request): string | undefined {
  const value = req.headers['idempotency-key'];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !IDEMPOTENCY_KEY_PATTERN.test(value)) {
    throw new SsehubError('bad_request', 'Idempotency-Key must be 1-200 visible ASCII characters');
  }
  return value;
}

/**
 * The key the broker remembers: the client's key scoped to its caller, so two callers using the same
 * key never see each other's events. Hashed, so Redis keys and NATS message ids stay short whatever
 * the subject.
 */
export function brokerIdempotencyKey(caller: string, key: string): string {
  return createHash('sha256').update(caller).update('\n').update(key).digest('base64url');
}

/** A publisher over `broker` that times each publish and counts accepted events. */
export function createPublisher(broker: Broker, metrics: IngestMetrics): Publisher {
  return async (inputs, caller, idempotencyKey) => {
    const stopTimer = metrics.publishSeconds.startTimer();
    const options = idempotencyKey === undefined ? {} : { idempotencyKey: brokerIdempotencyKey(caller, idempotencyKey) };
    const stored = await broker.publish(inputs, options);
    stopTimer();
    metrics.eventsPublished.inc(stored.length);
    return stored.map(({ id, topic, type }) => ({ id, topic, type }));
  };
}
