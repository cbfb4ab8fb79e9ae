import { SsehubError } from '../errors.js';
import type { EventEnvelope } from '../event.js';
import type { StreamHandlers } from './hub-messages.js';
import { createSharedConnection, type SharedConnection } from './shared-connection.js';
import { subscribe, type Subscription } from './subscription.js';
import { canShareAcrossTabs } from './tab-leader.js';
import { isValidTopic } from '../topic.js';
import { createEventDispatcher, type EventSchemas, type SubscriptionHandlers } from './typed-handlers.js';

/** Where a subscription starts and who it counts as. */
export interface SubscribeTarget {
  /** Resume after this event id (say, the newest of a history page). */
  readonly lastEventId?: string;
  /** Who to count in the topics' presence; subscriptions of different users never share a stream. */
  readonly user?: string;
}

/** The object form of `subscribe`: `{topics, onEvent, ...}`. */
export type ClientSubscribeOptions = SubscriptionHandlers &
  SubscribeTarget & {
    readonly topics: readonly string[];
    onEvent(event: EventEnvelope): void;
  };

/** Options of {@link createSubscriber}. */
export interface SubscriberOptions {
  readonly url: string;
  readonly fetch: typeof fetch;
  readonly headers: () => Record<string, string>;
  /** Share streams under this name, or open one per subscription. */
  readonly share: false | { readonly name: string };
}

/** `subscribe(topics, handlers)` or `subscribe({topics, ...handlers})`. */
export type Subscriber = <S extends EventSchemas = Record<never, never>>(
  topicsOrOptions: readonly string[] | ClientSubscribeOptions,
  handlers?: SubscriptionHandlers<S> & SubscribeTarget,
) => Subscription;

function checkTopics(topics: readonly string[]): void {
  if (topics.length === 0) throw new SsehubError('invalid_topic', 'subscribe to at least one topic');
  const invalid = topics.find((topic) => !isValidTopic(topic));
  if (invalid !== undefined) throw new SsehubError('invalid_topic', `"${invalid.slice(0, 80)}" is not a topic`);
}

/** The low-level callbacks for a subscriber's handlers; a throwing handler is reported, never fatal. */
function toStreamHandlers<S extends EventSchemas>(handlers: SubscriptionHandlers<S>): StreamHandlers {
  const guard =
    <A>(callback: ((value: A) => void) | undefined) =>
    (value: A): void => {
      try {
        callback?.call(handlers, value);
      } catch (error) {
        handlers.onError?.(error);
      }
    };
  return {
    onEvent: createEventDispatcher(handlers),
    onReady: guard(handlers.onReady),
    onReset: guard(handlers.onReset),
    onStateChange: guard(handlers.onStateChange),
    onError: (error) => handlers.onError?.(error),
  };
}

/** Builds the client's `subscribe`: shared streams keyed by user, or one stream per call. */
export function createSubscriber(options: SubscriberOptions): Subscriber {
  const connections = new Map<string, SharedConnection>();
  const acrossTabs = canShareAcrossTabs();
  const { share, url, headers } = options;

  function connectionFor(groupName: string, user: string | undefined): SharedConnection {
    const name = `${groupName}|${user ?? ''}`;
    const existing = connections.get(name);
    if (existing) return existing;
    const connection = createSharedConnection({
      name,
      acrossTabs,
      openStream: (topics, lastEventId, handlers) => subscribe({ url, fetch: options.fetch, headers, user, topics, lastEventId, ...handlers }),
      onIdle: () => {
        if (connections.get(name) === connection) connections.delete(name);
      },
    });
    connections.set(name, connection);
    return connection;
  }

  return (topicsOrOptions, maybeHandlers) => {
    const isList = Array.isArray(topicsOrOptions);
    const topics = isList ? (topicsOrOptions as readonly string[]) : (topicsOrOptions as ClientSubscribeOptions).topics;
    const handlers = (isList ? maybeHandlers : topicsOrOptions) as SubscriptionHandlers & SubscribeTarget;
    if (!handlers) throw new TypeError('subscribe(topics, handlers) needs handlers');
    checkTopics(topics);
    const stream = toStreamHandlers(handlers);
    if (share === false) {
      return subscribe({ url, fetch: options.fetch, headers, user: handlers.user, topics, lastEventId: handlers.lastEventId, ...stream });
    }
    return connectionFor(share.name, handlers.user).subscribe([...new Set(topics)], handlers.lastEventId, stream);
  };
}
