import type { StoredEvent } from './broker.js';

// The envelope JSON a backend already holds for an event (Redis publishes the stored JSON), kept beside
// the event rather than on it, so nothing that spreads or compares events sees an extra field.
const knownJson = new WeakMap<StoredEvent, string>();

/**
 * Parses a stored event's JSON as the Redis append script writes it (`{"id":..,"seq":N,<topic, type,
 * data>,"ts":..}`) and keeps the client's envelope, the same text without `"seq":N,`, for
 * {@link storedEnvelopeJson}: the frame then carries the stored bytes, not a re-serialisation.
 */
export function parseStoredEvent(json: string): StoredEvent {
  const event = JSON.parse(json) as StoredEvent;
  const seqAt = json.indexOf(',"seq":', event.id.length + 7);
  const seqEnd = seqAt < 0 ? -1 : json.indexOf(',', seqAt + 7);
  if (seqEnd > 0) knownJson.set(event, json.slice(0, seqAt) + json.slice(seqEnd));
  return event;
}

/**
 * The event as clients see it, `{"id","topic","type","data","ts"}` (no `seq`, the broker's own
 * position): the stored text when the backend had it, else serialised here. The one place `seq` is
 * left out of a live event's envelope.
 */
export function storedEnvelopeJson(event: StoredEvent): string {
  return knownJson.get(event) ?? JSON.stringify({ id: event.id, topic: event.topic, type: event.type, data: event.data, ts: event.ts });
}
