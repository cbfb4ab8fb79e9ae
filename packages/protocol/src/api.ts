import { z } from 'zod';
import { EventDataSchema, PublishableEventTypeSchema, StoredEnvelopeSchema } from './event.js';
import { PublishableTopicSchema, TopicSchema } from './topic.js';

/** Most events in one batch publish. @default 100 */
export const MAX_BATCH_EVENTS = 100;

/** Body of `POST /v1/publish` for one event. */
export const PublishRequestSchema = z.object({
  topic: PublishableTopicSchema,
  type: PublishableEventTypeSchema,
  data: EventDataSchema,
});
export type PublishRequest = z.infer<typeof PublishRequestSchema>;

/** Body of `POST /v1/publish` for many events at once, appended in order. */
export const PublishBatchRequestSchema = z.object({
  events: z.array(PublishRequestSchema).min(1).max(MAX_BATCH_EVENTS),
});
export type PublishBatchRequest = z.infer<typeof PublishBatchRequestSchema>;

/** Answer to one published event. */
export const PublishResponseSchema = z.object({
  id: z.string(),
  topic: TopicSchema,
  type: z.string(),
});
export type PublishResponse = z.infer<typeof PublishResponseSchema>;

/** Answer to a batch publish, in request order. */
export const PublishBatchResponseSchema = z.object({
  events: z.array(PublishResponseSchema),
});
export type PublishBatchResponse = z.infer<typeof PublishBatchResponseSchema>;

/** Most events one history page returns. @default 1000 */
export const MAX_HISTORY_LIMIT = 1000;

/** Answer of `GET /v1/topics/{topic}/history`, oldest first. */
export const HistoryResponseSchema = z.object({
  topic: TopicSchema,
  events: z.array(StoredEnvelopeSchema),
  /** True when retention dropped events after `after`, so the page does not start right after it. */
  truncated: z.boolean(),
  /**
   * Present when the page was cut short to stay within the server's response size: more events of the
   * asked-for range follow; ask again with `after` set to this cursor (the id of the page's last event).
   */
  next: z.string().optional(),
});
export type HistoryResponse = z.infer<typeof HistoryResponseSchema>;

/** The control event sent once a subscription is live. */
export const READY_EVENT = 'ssehub.ready';
/** The control event sent when a resume cannot be served without a gap. */
export const RESET_EVENT = 'ssehub.reset';
/** The control event that asks a client to reconnect elsewhere (node draining). */
export const RECONNECT_EVENT = 'ssehub.reconnect';

/** Data of `ssehub.ready`. */
export const ReadyPayloadSchema = z.object({
  node: z.string(),
  topics: z.array(TopicSchema),
  /** True when the connection resumed from a `Last-Event-ID` without a gap, every topic of it. */
  resumed: z.boolean(),
  /**
   * With a `Last-Event-ID`: the topics that resumed from it without a gap. The others started live: a
   * topic in a partition the id does not cover (new to the stream), or one `ssehub.reset` named.
   */
  resumedTopics: z.array(TopicSchema).optional(),
  /** Where this stream is live from: a client without a `Last-Event-ID` resumes from here. */
  cursor: z.string(),
});
export type ReadyPayload = z.infer<typeof ReadyPayloadSchema>;

/** Why a resume could not be served. */
export const ResetReasonSchema = z.enum(['retention', 'epoch']);
export type ResetReason = z.infer<typeof ResetReasonSchema>;

/** Data of `ssehub.reset`: the client missed events and should refetch state. */
export const ResetPayloadSchema = z.object({
  reason: ResetReasonSchema,
  /** The cursor the client sent. */
  lastEventId: z.string(),
  /** The topics that missed events: all of the stream's, or on a partitioned log those of one partition. */
  topics: z.array(TopicSchema),
});
export type ResetPayload = z.infer<typeof ResetPayloadSchema>;

/** Data of `ssehub.reconnect`. */
export const ReconnectPayloadSchema = z.object({
  reason: z.literal('draining'),
  node: z.string(),
});
export type ReconnectPayload = z.infer<typeof ReconnectPayloadSchema>;

/** One user present on a topic. */
export const PresenceMemberSchema = z.object({
  user: z.string(),
  connections: z.number().int().nonnegative(),
  nodes: z.array(z.string()),
});
export type PresenceMember = z.infer<typeof PresenceMemberSchema>;

/** Answer of `GET /v1/presence/{topic}`. */
export const PresenceResponseSchema = z.object({
  topic: TopicSchema,
  members: z.array(PresenceMemberSchema),
});
export type PresenceResponse = z.infer<typeof PresenceResponseSchema>;
