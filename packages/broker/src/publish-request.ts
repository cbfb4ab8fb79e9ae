import { createHash } from 'node:crypto';
import {
  EVENT_DATA_SCHEMAS,
  MAX_BATCH_EVENTS,
  PublishBatchRequestSchema,
  PublishRequestSchema,
  SsehubError,
  isPublishableEventType,
  isReservedTopic,
  isValidTopic,
  parseEventData,
  type PublishRequest,
  type PublishResponse,
} from '@ssehub/protocol';
import type { Broker, PublishInput, StoredEvent } from './broker.js';

/**
 * What a publish must pass whoever sends it: ingest's `POST /v1/publish` and a trusted Node backend
 * calling {@link publishRequest} run this one file, so both accept the same events, answer the same
 * acks and scope idempotency keys the same way.
 */

/** A failed zod parse, as far as the error message needs it (no zod import in the broker). */
interface SchemaIssues {
  readonly issues: readonly { readonly path: readonly PropertyKey[]; readonly message: string }[];
}

/** A zod schema, as far as {@link parseBody} uses it. */
type SafeParser<T> = { safeParse(value: unknown): { success: true; data: T } | { success: false; error: SchemaIssues } };

function fieldName(path: readonly PropertyKey[]): string {
  return path.length === 0 ? 'body' : path.map(String).join('.');
}

/** Turns a zod failure into a 400 naming the field: `invalid_topic` when a topic is wrong, else `invalid_event`. */
export function invalidInput(error: SchemaIssues, prefix: readonly PropertyKey[] = []): SsehubError {
  const topicIssue = error.issues.find((issue) => issue.path.at(-1) === 'topic');
  const issue = topicIssue ?? error.issues[0];
  const field = fieldName([...prefix, ...(issue?.path ?? [])]);
  return new SsehubError(topicIssue ? 'invalid_topic' : 'invalid_event', `${field}: ${issue?.message ?? 'invalid value'}`);
}

/** Parses `body` with `schema`, throwing a 400 that names the offending field. */
export function parseBody<T>(schema: SafeParser<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (!result.success) throw invalidInput(result.error);
  return result.data;
}

/** The body as an object, or a 400 when it is missing or not a JSON object. */
export function requireObject(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new SsehubError('bad_request', 'the body must be a JSON object');
  }
  return body as Record<string, unknown>;
}

/** Validates `data` with the schema registered for `type`; answers the parsed data. */
export function validEventData(type: string, data: unknown, field: readonly PropertyKey[]): unknown {
  // Most types have no schema and take any JSON value: no parse, no allocation.
  if (EVENT_DATA_SCHEMAS[type] === undefined && data !== undefined) return data;
  const result = parseEventData(type, data);
  if (!result.success) throw invalidInput(result.error, field);
  return result.data;
}

/**
 * One event `{topic, type, data}` as an input to append. A valid event (nearly every one) is checked by
 * hand; anything the hand check does not pass goes through the schema, so a bad event gets exactly the
 * schema's 400.
 */
function toInput(event: unknown, field: readonly PropertyKey[]): PublishInput {
  if (event !== null && typeof event === 'object' && !Array.isArray(event)) {
    const { topic, type, data } = event as Record<string, unknown>;
    if (
      isValidTopic(topic) &&
      !isReservedTopic(topic as string) &&
      isPublishableEventType(type) &&
      data !== undefined
    ) {
      return { topic: topic as string, type, data: validEventData(type, data, [...field, 'data']) };
    }
  }
  const result = PublishRequestSchema.safeParse(event);
  if (!result.success) throw invalidInput(result.error, field);
  const parsed: PublishRequest = result.data;
  return { topic: parsed.topic, type: parsed.type, data: validEventData(parsed.type, parsed.data, [...field, 'data']) };
}

/** Options of {@link parsePublishBody}. */
export interface ParsePublishOptions {
  /** Most events in a batch. @default MAX_BATCH_EVENTS (100) */
  readonly maxBatchEvents?: number;
  /** Called when a batch is refused for its size, before the 400 is thrown (ingest counts it as a limit hit). */
  readonly onBatchTooLarge?: () => void;
}

/** A publish body as events to append: one event, or a batch whose answer is `{events: [...]}`. */
export interface ParsedPublish {
  readonly inputs: PublishInput[];
  readonly batch: boolean;
}

/**
 * Validates the body of a publish: one event `{topic, type, data}` or a batch `{events: [...]}`.
 * Throws a 400 `SsehubError` naming the offending field (`invalid_topic`, `invalid_event`, `bad_request`).
 */
export function parsePublishBody(body: unknown, options: ParsePublishOptions = {}): ParsedPublish {
  const object = requireObject(body);
  if (!('events' in object)) return { inputs: [toInput(object, [])], batch: false };
  const maxBatchEvents = options.maxBatchEvents ?? MAX_BATCH_EVENTS;
  if (Array.isArray(object.events) && object.events.length > maxBatchEvents) {
    options.onBatchTooLarge?.();
    throw new SsehubError('invalid_event', `events: at most ${maxBatchEvents} events per batch (got ${object.events.length})`);
  }
  const batch = parseBody(PublishBatchRequestSchema, object);
  return { inputs: batch.events.map((event, index) => toInput(event, ['events', index])), batch: true };
}

// Visible ASCII only: the key ends up in Redis keys and NATS headers, where spaces and controls do not belong.
const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,200}$/;

/** An idempotency key as given (`Idempotency-Key`), or a 400 when it is not 1-200 visible ASCII characters. */
export function checkIdempotencyKey(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !IDEMPOTENCY_KEY_PATTERN.test(value)) {
    throw new SsehubError('bad_request', 'Idempotency-Key must be 1-200 visible ASCII characters');
  }
  return value;
}

/**
 * The key the broker remembers: the client's key scoped to its caller, so two callers using the same
 * key never see each other's events. Hashed, so Redis keys and NATS message ids stay short whatever
 * the subject.
 */
export function scopedIdempotencyKey(caller: string, key: string): string {
  return createHash('sha256').update(caller).update('\n').update(key).digest('base64url');
}

/** Options of {@link appendEvents} and {@link publishRequest}. */
export interface PublishAs {
  /**
   * Who publishes, as idempotency keys are scoped: ingest uses `sub:<token subject>` or `ip:<address>`;
   * a backend that retries a publish it also makes over HTTP with a token uses the same `sub:<subject>`.
   */
  readonly caller: string;
  /** A retried publish with the same key (and caller) answers the original events; 1-200 visible ASCII. */
  readonly idempotencyKey?: string;
}

const ack = ({ id, topic, type }: StoredEvent): PublishResponse => ({ id, topic, type });

/** Appends validated events and answers their acks `{id, topic, type}`, in order. */
export async function appendEvents(broker: Broker, inputs: readonly PublishInput[], as: PublishAs): Promise<PublishResponse[]> {
  const key = checkIdempotencyKey(as.idempotencyKey);
  const stored = await broker.publish(inputs, key === undefined ? undefined : { idempotencyKey: scopedIdempotencyKey(as.caller, key) });
  return stored.map(ack);
}

/** What {@link publishRequest} answers: what `POST /v1/publish` answers with its 201. */
export type PublishRequestAnswer<Body> = Body extends { events: unknown } ? { events: PublishResponse[] } : PublishResponse;

/**
 * Publishes from a trusted Node backend without HTTP: the body `POST /v1/publish` takes (one event or
 * `{events: [...]}`), validated, appended and answered exactly as ingest does, minus authentication and
 * rate limits (the backend is trusted). Throws `SsehubError` (400) for a bad event, `BrokerError` for a
 * broker that is down or a reused idempotency key.
 */
export async function publishRequest<Body extends object>(broker: Broker, body: Body, as: PublishAs): Promise<PublishRequestAnswer<Body>> {
  const { inputs, batch } = parsePublishBody(body);
  const acks = await appendEvents(broker, inputs, as);
  return (batch ? { events: acks } : acks[0]!) as PublishRequestAnswer<Body>;
}
