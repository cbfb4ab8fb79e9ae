// The public surface of @ssehub/protocol: the wire format (schemas, topics, cursor, SSE codec), safe in a
// browser and on a server. The typed client is `@ssehub/protocol/client`, the chat demo's schemas
// `@ssehub/protocol/chat`. An explicit list, checked by faces.test.ts.
export {
  MAX_TOPIC_SEGMENTS,
  MAX_TOPIC_SEGMENT_LENGTH,
  PublishableTopicSchema,
  RESERVED_TOPIC_SEGMENT,
  TopicSchema,
  isReservedTopic,
  isValidTopic,
  type Topic,
} from './topic.js';
export {
  MAX_TOPIC_PATTERNS,
  SsehubClaimSchema,
  TopicPatternSchema,
  compileTopicPatterns,
  isValidTopicPattern,
  matchTopicPattern,
  type SsehubClaim,
  type TopicPatternSet,
} from './topic-pattern.js';
export {
  CONTROL_EVENT_PREFIX,
  EVENT_DATA_SCHEMAS,
  isPublishableEventType,
  EventDataSchema,
  EventEnvelopeSchema,
  EventTypeSchema,
  PresenceChangeSchema,
  PublishableEventTypeSchema,
  StoredEnvelopeSchema,
  parseEventData,
  type EventEnvelope,
  type StoredEnvelope,
  type PresenceChange,
} from './event.js';
export {
  HistoryResponseSchema,
  MAX_BATCH_EVENTS,
  MAX_HISTORY_LIMIT,
  PresenceMemberSchema,
  PresenceResponseSchema,
  PublishBatchRequestSchema,
  PublishBatchResponseSchema,
  PublishRequestSchema,
  PublishResponseSchema,
  READY_EVENT,
  RECONNECT_EVENT,
  RESET_EVENT,
  ReadyPayloadSchema,
  ReconnectPayloadSchema,
  ResetPayloadSchema,
  ResetReasonSchema,
  type HistoryResponse,
  type PresenceMember,
  type PresenceResponse,
  type PublishBatchRequest,
  type PublishBatchResponse,
  type PublishRequest,
  type PublishResponse,
  type ReadyPayload,
  type ReconnectPayload,
  type ResetPayload,
  type ResetReason,
} from './api.js';
export { ERROR_CODES, ErrorBodySchema, ErrorCodeSchema, SsehubError, errorBody, type ErrorBody, type ErrorCode } from './errors.js';
export { MAX_CURSOR_LENGTH, decodeCursor, encodeCursor, isValidEpoch, type Cursor } from './cursor.js';
export {
  MAX_CURSOR_PARTITIONS,
  MAX_PARTITION_CURSOR_LENGTH,
  cursorLengthLimit,
  decodeAnyCursor,
  decodePartitionCursor,
  encodePartitionCursor,
  type AnyCursor,
  type PartitionCursor,
} from './partition-cursor.js';
export { fnv1a32, partitionOf } from './partition.js';
export { formatSseComment, formatSseFrame, formatSseRetry, type SseFrame } from './sse-format.js';
export { createSseParser, type SseMessage, type SseParser, type SseParserOptions } from './sse-parser.js';
export {
  AdminNodeSchema,
  AdminNodesResponseSchema,
  AdminTopicLoadSchema,
  LAG_PROBE_TOPIC,
  NODES_TOPIC,
  type AdminNode,
  type AdminNodesResponse,
  type AdminTopicLoad,
} from './admin.js';
