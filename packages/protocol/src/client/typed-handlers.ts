import type { z } from 'zod';
import type { ReadyPayload, ResetPayload } from '../api.js';
import type { ChatMessage } from '../chat.js';
import { SsehubError } from '../errors.js';
import { EVENT_DATA_SCHEMAS, type EventEnvelope, type PresenceChange } from '../event.js';
import type { ConnectionState } from './subscription.js';

/** The data of each event type that has a schema in `EVENT_DATA_SCHEMAS`. */
export interface EventDataMap {
  'chat.message': ChatMessage;
  'presence.join': PresenceChange;
  'presence.leave': PresenceChange;
}

/** An event whose `type` is known and whose `data` passed that type's schema. */
export type TypedEvent<T extends string = string, D = unknown> = Omit<EventEnvelope, 'type' | 'data'> & {
  readonly type: T;
  readonly data: D;
};

/** Schemas a subscriber brings for its own event types (they win over the registered ones). */
export type EventSchemas = Readonly<Record<string, z.ZodType>>;

/** The data types a subscription knows: the registered ones plus the subscriber's own. */
export type EventDataMapWith<S extends EventSchemas> = Omit<EventDataMap, keyof S> & { [K in keyof S]: z.output<S[K]> };

/** One handler per event type, each called with data validated by that type's schema. */
export type EventHandlerMap<M> = { readonly [K in keyof M & string]?: (event: TypedEvent<K, M[K]>) => void };

/** What a subscriber wants to hear about. `S` is inferred from `schemas`. */
export interface SubscriptionHandlers<S extends EventSchemas = Record<never, never>> {
  /** Schemas of the subscriber's own event types, so `on` can hand their data over typed. */
  readonly schemas?: S;
  /** Handlers by event type; an event whose data fails its schema goes to `onInvalid` instead. */
  readonly on?: EventHandlerMap<EventDataMapWith<S>>;
  /** Every event without a handler in `on`, unvalidated. */
  onEvent?(event: EventEnvelope): void;
  /** An event for a handler in `on` whose data failed the schema; reported to `onError` when absent. */
  onInvalid?(event: EventEnvelope, error: z.ZodError): void;
  /** The subscription is live (again): after the first connect and after every reconnect. */
  onReady?(payload: ReadyPayload): void;
  /** Events were missed (retention or a new log): refetch state, e.g. with `history()`. */
  onReset?(payload: ResetPayload): void;
  onStateChange?(state: ConnectionState): void;
  /** A failed attempt or a handler that threw; the subscription carries on. */
  onError?(error: unknown): void;
}

function ownValue<T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  // A plain object literal has `constructor`, `toString`, ... on its prototype; those are event types too.
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}

/** Routes an event to its typed handler (validating its data) or to `onEvent`; never throws. */
export function createEventDispatcher<S extends EventSchemas = Record<never, never>>(handlers: SubscriptionHandlers<S>): (event: EventEnvelope) => void {
  const on = handlers.on as Readonly<Record<string, (event: TypedEvent) => void>> | undefined;
  return (event) => {
    try {
      const handler = ownValue(on, event.type);
      if (!handler) return handlers.onEvent?.(event);
      const schema = ownValue<z.ZodType>(handlers.schemas, event.type) ?? EVENT_DATA_SCHEMAS[event.type];
      if (!schema) return handler(event);
      const parsed = schema.safeParse(event.data);
      if (parsed.success) return handler({ ...event, data: parsed.data });
      if (handlers.onInvalid) return handlers.onInvalid(event, parsed.error);
      const message = `event ${event.id ?? 'without id (live-only)'} (${event.type}) does not match its schema`;
      handlers.onError?.(new SsehubError('invalid_event', message, undefined, { cause: parsed.error }));
    } catch (error) {
      // A throwing handler must not stop the events that follow, here or in other subscriptions.
      handlers.onError?.(error);
    }
  };
}
