export type {
  PresenceClaim,
  PresenceRecord,
  PresenceStore,
  VersionedPresence,
  VersionedRecord,
  Broker,
  BrokerBackend,
  BrokerStats,
  BackendHooks,
  HistoryOptions,
  HistoryPage,
  LogHead,
  LiveSignal,
  LogPage,
  PublishInput,
  PublishOptions,
  RetentionOptions,
  StoredEvent,
  SubscribeOptions,
  Subscription,
  SubscriptionListener,
} from './broker.js';
export { BrokerError, type BrokerErrorCode } from './errors.js';
export { composeBroker, CATCH_UP_PAGE_SIZE } from './compose-broker.js';
export { MAX_HELD_LIVE_EVENTS } from './local-subscriber.js';
export { createBroker, parseBrokerUrl, BROKER_SCHEMES, type BrokerUrl, type CreateBrokerOptions } from './create-broker.js';
export { IdempotencyCache } from './idempotency-cache.js';
export { mergePages } from './merge-pages.js';
export {
  createMemoryBroker,
  newEpoch,
  DEFAULT_HISTORY_MAX_AGE_S,
  DEFAULT_HISTORY_MAX_PER_TOPIC,
  MEMORY_SWEEP_INTERVAL_MS,
  type MemoryBrokerOptions,
} from './memory.js';
export { DEFAULT_MEMORY_MAX_BYTES } from './ring-store.js';
export { deferBroker } from './deferred-broker.js';
export { createPresenceTracker, DEFAULT_PRESENCE_TTL_S, type PresenceTracker, type PresenceTrackerOptions } from './presence-tracker.js';
export { createMemoryPresenceStore } from './memory-presence.js';
export { compareAndSet, type CasOutcome } from './compare-and-set.js';
export { startRepeatingTask, type RepeatingTask } from './repeating-task.js';
