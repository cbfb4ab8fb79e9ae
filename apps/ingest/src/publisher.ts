import { appendEvents, checkIdempotencyKey, type Broker, type PublishInput } from '@ssehub/broker';
import type { PublishResponse } from '@ssehub/protocol';
import type { Request } from 'express';
import type { IngestMetrics } from './metrics.js';

/** Appends events and answers their acks `{id, topic, type}`, in order; `caller` as the publish gate answered it. */
export type Publisher = (inputs: readonly PublishInput[], caller: string, idempotencyKey?: string) => Promise<PublishResponse[]>;

/** The `Idempotency-Key` header, or a 400 when it is present but not 1-200 visible ASCII characters. */
export function readIdempotencyKey(req: Request): string | undefined {
  return checkIdempotencyKey(req.headers['idempotency-key']);
}

/** A publisher over `broker` (the broker package's {@link appendEvents}) that times each publish and counts accepted events. */
export function createPublisher(broker: Broker, metrics: IngestMetrics): Publisher {
  return async (inputs, caller, idempotencyKey) => {
    const started = performance.now();
    const acks = await appendEvents(broker, inputs, { caller, idempotencyKey });
    metrics.publishSeconds.observe((performance.now() - started) / 1000);
    metrics.eventsPublished.inc(acks.length);
    return acks;
  };
}
