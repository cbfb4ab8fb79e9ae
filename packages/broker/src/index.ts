// The public surface of @ssehub/broker: what apps and backend authors use, an explicit list checked by
// test/faces.test.ts. Internals (paging, idempotency cache, epochs, defaults) stay inside the package.
export type {
  BackendHooks,
  Broker,
  BrokerBackend,
  BrokerStats,
  BrokerSubscribeOptions,
  BrokerSubscription,
  HistoryOptions,
  HistoryPage,
  LiveSignal,
  LogHead,
  LogPage,
  LogSubscription,
  PartitionLog,
  PresenceClaim,
  PresenceRecord,
  PresenceStore,
  PublishInput,
  PublishOptions,
  ResumeCheck,
  RetentionOptions,
  StoredEvent,
  SubscriptionListener,
  VersionedPresence,
  VersionedRecord,
} from './broker.js';
export { compareAndSet, type CasOutcome } from './compare-and-set.js';
export { composeBroker } from './compose-broker.js';
export { createBroker, parseBrokerUrl, type BrokerUrl, type CreateBrokerOptions } from './create-broker.js';
export { deferBroker } from './deferred-broker.js';
export { BrokerError, type BrokerErrorCode } from './errors.js';
export { MAX_HELD_LIVE_EVENTS } from './local-subscriber.js';
export { createMemoryBroker, type MemoryBrokerOptions } from './memory.js';
export { createPartitionedBroker } from './partitioned-broker.js';
export { createPresenceTracker, type PresenceTracker, type PresenceTrackerOptions } from './presence-tracker.js';
export { startRepeatingTask, type RepeatingTask } from './repeating-task.js';
// Publish validation, idempotency scoping and the answer of a publish: ingest and a trusted backend share them.
export {
  appendEvents,
  checkIdempotencyKey,
  parseBody,
  parsePublishBody,
  publishRequest,
  requireObject,
  validEventData,
  type ParsedPublish,
  type ParsePublishOptions,
  type PublishAs,
  type PublishRequestAnswer,
} from './publish-request.js';
export { storedEnvelopeJson } from './envelope-json.js';
