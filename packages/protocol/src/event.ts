import { z } from 'zod';
import { ChatMessageSchema } from './chat.js';
import { TopicSchema } from './topic.js';

/** Prefix of the control events that ssehub itself emits; publishers may not use it. */
export const CONTROL_EVENT_PREFIX = 'ssehub.';

// Event types travel on the SSE `event:` line, so CR, LF and `:` can never be part of one.
const EVENT_TYPE_PATTERN = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

/** An application event name such as `chat.message`. */
export const EventTypeSchema = z
  .string()
  .regex(EVENT_TYPE_PATTERN, { message: 'an event type is 1-64 characters of [A-Za-z0-9_.-] starting with a letter' });

/** True when `value` is an event type a publisher may use (what {@link PublishableEventTypeSchema} accepts). */
export function isPublishableEventType(value: unknown): value is string {
  return typeof value === 'string' && EVENT_TYPE_PATTERN.test(value) && !value.startsWith(CONTROL_EVENT_PREFIX);
}

/** An event type a publisher may use: any event type outside the `ssehub.` namespace. */
export const PublishableEventTypeSchema = EventTypeSchema.refine((type) => !type.startsWith(CONTROL_EVENT_PREFIX), {
  message: `event types starting with "${CONTROL_EVENT_PREFIX}" are reserved for control events`,
});

/** Any JSON value (never `undefined`). */
export const EventDataSchema = z.custom<unknown>((value) => value !== undefined, { message: 'data is required' });

/**
 * The envelope every event frame carries in its `data:` field. `id` is absent on live-only signals
 * (`presence.join`/`presence.leave`): they are not in history, carry no SSE `id:` and never move a
 * cursor; every stored event, and so every event of a history page, has one.
 */
export const EventEnvelopeSchema = z.object({
  id: z.string().optional(),
  topic: TopicSchema,
  type: EventTypeSchema,
  data: EventDataSchema,
  ts: z.number(),
});
export type EventEnvelope = z.infer<typeof EventEnvelopeSchema>;

/** An event as the log stores it (history pages): always with its `id`. */
export const StoredEnvelopeSchema = EventEnvelopeSchema.extend({ id: z.string() });
export type StoredEnvelope = z.infer<typeof StoredEnvelopeSchema>;

/** Data of `presence.join` and `presence.leave`. */
export const PresenceChangeSchema = z.object({
  user: z.string().min(1).max(128),
  node: z.string().max(128).optional(),
});
export type PresenceChange = z.infer<typeof PresenceChangeSchema>;

/** The data schema for each event type that has one; other types carry any JSON. */
export const EVENT_DATA_SCHEMAS: Readonly<Record<string, z.ZodType>> = Object.freeze(
  // No prototype: `constructor` or `toString` are valid event types and must not look registered.
  Object.assign(Object.create(null) as Record<string, z.ZodType>, {
    'chat.message': ChatMessageSchema,
    'presence.join': PresenceChangeSchema,
    'presence.leave': PresenceChangeSchema,
  }),
);

/** Validates `data` against the schema registered for `type`, if any. */
export function parseEventData(type: string, data: unknown): z.ZodSafeParseResult<unknown> {
  const schema = EVENT_DATA_SCHEMAS[type];
  return schema ? schema.safeParse(data) : EventDataSchema.safeParse(data);
}
