import type { StoredEvent } from '@ssehub/broker';
import {
  READY_EVENT,
  RECONNECT_EVENT,
  RESET_EVENT,
  formatSseComment,
  formatSseFrame,
  formatSseRetry,
  type ReadyPayload,
  type ReconnectPayload,
  type ResetPayload,
} from '@ssehub/protocol';

/** The heartbeat comment, the same bytes for every connection. */
export const HEARTBEAT_FRAME = Buffer.from(formatSseComment('hb'));

/** Serialises an event frame once; the same Buffer is then written to every subscriber. */
export function eventFrame(event: StoredEvent): Buffer {
  const envelope = { id: event.id, topic: event.topic, type: event.type, data: event.data, ts: event.ts };
  return Buffer.from(formatSseFrame({ id: event.id, event: event.type, data: JSON.stringify(envelope) }));
}

/** `ssehub.ready`: the subscription is live. */
export function readyFrame(payload: ReadyPayload): Buffer {
  return Buffer.from(formatSseFrame({ event: READY_EVENT, data: JSON.stringify(payload) }));
}

/** `ssehub.reset`: the resume could not be served without a gap. */
export function resetFrame(payload: ResetPayload): Buffer {
  return Buffer.from(formatSseFrame({ event: RESET_EVENT, data: JSON.stringify(payload) }));
}

/** `ssehub.reconnect` plus a fresh `retry:`: the node is draining. */
export function reconnectFrame(payload: ReconnectPayload, retryMs: number): Buffer {
  return Buffer.from(formatSseFrame({ event: RECONNECT_EVENT, data: JSON.stringify(payload) }) + formatSseRetry(retryMs));
}

/** The `retry:` field sent first on every stream. */
export function retryFrame(retryMs: number): Buffer {
  return Buffer.from(formatSseRetry(retryMs));
}

/** A one-slot cache: a live event reaches all its local subscribers in one synchronous loop. */
export function createFrameCache(onFirstWrite: (event: StoredEvent) => void): (event: StoredEvent) => Buffer {
  let lastEvent: StoredEvent | undefined;
  let lastFrame: Buffer = Buffer.alloc(0);
  return (event) => {
    if (event !== lastEvent) {
      lastEvent = event;
      lastFrame = eventFrame(event);
      onFirstWrite(event);
    }
    return lastFrame;
  };
}
