import { storedEnvelopeJson, type LiveSignal, type StoredEvent } from '@ssehub/broker';
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

/**
 * SSE bytes already framed as one HTTP/1.1 chunk (`<size>\r\n<frame>\r\n`). Streams are written
 * straight to the socket, so any number of wire frames joined is still a valid chunked body, and
 * one event's wire frame is built once and shared by every subscriber. Only this file makes them.
 */
export type WireFrame = Buffer & { readonly __wireFrame: true };

const CRLF = 0x0d0a;

/** Frames SSE text as one chunk, with a single copy of the text. */
function wireFrame(sse: string): WireFrame {
  const length = Buffer.byteLength(sse);
  // An empty chunk would end the body; every SSE frame ends with a blank line, so it is never empty.
  if (length === 0) throw new Error('an SSE frame is never empty');
  const size = `${length.toString(16)}\r\n`;
  const wire = Buffer.allocUnsafe(size.length + length + 2);
  wire.write(size, 0, 'latin1');
  wire.write(sse, size.length, 'utf8');
  wire.writeUInt16BE(CRLF, wire.length - 2);
  return wire as WireFrame;
}

/** The SSE text inside a wire frame, for a stream that is not chunked (HTTP/1.0); a view, not a copy. */
export function unframe(frame: WireFrame): Buffer {
  return frame.subarray(frame.indexOf(CRLF >> 8) + 2, frame.length - 2);
}

/** The chunk that ends a chunked body. */
export const LAST_CHUNK = Buffer.from('0\r\n\r\n');

/** The heartbeat comment, the same bytes for every connection. */
export const HEARTBEAT_FRAME = commentFrame('hb');

/** A comment frame (never dispatched, never moves the cursor): heartbeats, a stream's last words. */
export function commentFrame(text: string): WireFrame {
  return wireFrame(formatSseComment(text));
}

/**
 * Serialises an event frame once; the same Buffer is then written to every subscriber. A live-only
 * signal (presence) has no `id:` line, so like a control event it never moves the client's cursor.
 */
export function eventFrame(event: StoredEvent | LiveSignal): WireFrame {
  if (!('id' in event)) {
    const signal = { topic: event.topic, type: event.type, data: event.data, ts: event.ts };
    return wireFrame(formatSseFrame({ event: event.type, data: JSON.stringify(signal) }));
  }
  return wireFrame(formatSseFrame({ id: event.id, event: event.type, data: storedEnvelopeJson(event) }));
}

let lastReady: { payload: ReadyPayload; frame: WireFrame } | undefined;

function sameReady(a: ReadyPayload, b: ReadyPayload): boolean {
  if (a.node !== b.node || a.resumed !== b.resumed || a.cursor !== b.cursor || a.topics.length !== b.topics.length) return false;
  for (let i = 0; i < a.topics.length; i++) if (a.topics[i] !== b.topics[i]) return false;
  if (a.resumedTopics?.length !== b.resumedTopics?.length) return false;
  for (let i = 0; i < (a.resumedTopics?.length ?? 0); i++) if (a.resumedTopics![i] !== b.resumedTopics![i]) return false;
  return true;
}

/**
 * `ssehub.ready`: the subscription is live. The streams of a connection storm on one topic start at
 * the same cursor, so the last frame is reused while its payload is the same.
 */
export function readyFrame(payload: ReadyPayload): WireFrame {
  if (lastReady !== undefined && sameReady(lastReady.payload, payload)) return lastReady.frame;
  const frame = wireFrame(formatSseFrame({ event: READY_EVENT, data: JSON.stringify(payload) }));
  lastReady = { payload: { ...payload, topics: [...payload.topics], resumedTopics: payload.resumedTopics && [...payload.resumedTopics] }, frame };
  return frame;
}

/** `ssehub.reset`: the resume could not be served without a gap. */
export function resetFrame(payload: ResetPayload): WireFrame {
  return wireFrame(formatSseFrame({ event: RESET_EVENT, data: JSON.stringify(payload) }));
}

/** `ssehub.reconnect` plus a fresh `retry:`: the node is draining. */
export function reconnectFrame(payload: ReconnectPayload, retryMs: number): WireFrame {
  return wireFrame(formatSseFrame({ event: RECONNECT_EVENT, data: JSON.stringify(payload) }) + formatSseRetry(retryMs));
}

// The jittered retries of a node take a few hundred values; each is framed once.
const retryFrames = new Map<number, WireFrame>();

/** The `retry:` field sent first on every stream. */
export function retryFrame(retryMs: number): WireFrame {
  let frame = retryFrames.get(retryMs);
  if (frame === undefined) {
    if (retryFrames.size >= 4096) retryFrames.clear();
    frame = wireFrame(formatSseRetry(retryMs));
    retryFrames.set(retryMs, frame);
  }
  return frame;
}

let lastParts: readonly WireFrame[] = [];
let lastJoined: Buffer | undefined;

/**
 * Joins a stream's queued frames for one write. The subscribers of a topic queue the same frames,
 * and are flushed one after the other, so the previous join is reused: one copy per batch of
 * events, shared by every subscriber, like a single frame is.
 */
export function joinFrames(frames: readonly WireFrame[], bytes: number): Buffer {
  let same = lastJoined !== undefined && frames.length === lastParts.length;
  for (let i = 0; same && i < frames.length; i++) same = frames[i] === lastParts[i];
  if (!same) {
    lastJoined = Buffer.concat(frames, bytes);
    lastParts = frames;
  }
  return lastJoined!;
}
