// The public surface of @ssehub/protocol/client: the typed client and its subscriptions, shared across
// browser tabs where the browser allows. The wire types it hands over (`EventEnvelope`, `SsehubError`, ...)
// come from `@ssehub/protocol`. An explicit list, checked by faces.test.ts.
export { createSsehubClient, type PublishCallOptions, type SsehubClient, type SsehubClientOptions } from './client.js';
export type { RetryOptions } from './publish-retry.js';
export type { ClientSubscribeOptions, SubscribeTarget } from './subscriber.js';
export { DEFAULT_RETRY_MS, subscribe, type ConnectionState, type SubscribeOptions, type Subscription } from './subscription.js';
export type {
  EventDataMap,
  EventDataMapWith,
  EventHandlerMap,
  EventSchemas,
  SubscriptionHandlers,
  TypedEvent,
} from './typed-handlers.js';
