import type { z } from 'zod';
import {
  HistoryResponseSchema,
  PresenceResponseSchema,
  PublishBatchResponseSchema,
  PublishResponseSchema,
  type HistoryResponse,
  type PresenceResponse,
  type PublishRequest,
  type PublishResponse,
} from '../api.js';
import { errorFromResponse, fetchOrExplain } from './http-error.js';
import { noteRetryAfter, withRetries, type RetryOptions } from './publish-retry.js';
import { randomId } from './random-id.js';
import { createSubscriber, type ClientSubscribeOptions, type SubscribeTarget } from './subscriber.js';
import type { Subscription } from './subscription.js';
import type { EventSchemas, SubscriptionHandlers } from './typed-handlers.js';

/** Options of {@link createSsehubClient}. */
export interface SsehubClientOptions {
  /** Where the API lives, e.g. `http://localhost:8080`; empty for the page's own origin. */
  baseUrl?: string;
  /** Bearer token sent with every request; leave it out to rely on the `ssehub_token` cookie. */
  token?: string | (() => string | undefined);
  // Spelled out rather than the DOM's `RequestCredentials`, so Node projects without the DOM lib can use the types.
  /** Whether requests carry cookies: `include` sends the token cookie to another origin. @default "same-origin" */
  credentials?: 'omit' | 'same-origin' | 'include';
  /** The fetch to use; the global one by default. */
  fetch?: typeof fetch;
  /**
   * One SSE connection for all subscriptions of this client, and for all tabs of the origin where the
   * browser has Web Locks and BroadcastChannel; `name` separates groups that must not share (other
   * credentials). `false`: one connection per subscription. @default true
   */
  share?: boolean | { readonly name?: string };
  /** How `publish`, `publishBatch` and `sendRoomMessage` retry; `false` sends once. */
  retry?: RetryOptions | false;
}

/** Options of the write calls. */
export interface PublishCallOptions {
  /** Makes the call idempotent across retries and reloads; one is generated when left out. */
  idempotencyKey?: string;
}

/** A typed client for the ssehub HTTP API. */
export interface SsehubClient {
  /** Publishes one event; retried on network errors, 429 and 503 with ONE Idempotency-Key, never on other 4xx. */
  publish(event: PublishRequest, options?: PublishCallOptions): Promise<PublishResponse>;
  publishBatch(events: PublishRequest[], options?: PublishCallOptions): Promise<PublishResponse[]>;
  sendRoomMessage(room: string, text: string, author?: string, options?: PublishCallOptions): Promise<PublishResponse>;
  history(topic: string, options?: { after?: string; limit?: number }): Promise<HistoryResponse>;
  presence(topic: string): Promise<PresenceResponse>;
  /** Subscribes to topics; handlers in `on` get data validated by its schema and typed. */
  subscribe<S extends EventSchemas = Record<never, never>>(
    topics: readonly string[],
    handlers: SubscriptionHandlers<S> & SubscribeTarget,
  ): Subscription;
  /** The object form: `{topics, onEvent, ...}`. */
  subscribe(options: ClientSubscribeOptions): Subscription;
}

/** Creates a client; works in browsers and Node.js 20+. */
export function createSsehubClient(options: SsehubClientOptions = {}): SsehubClient {
  const baseUrl = (options.baseUrl ?? '').replace(/\/$/, '');
  const credentials = options.credentials;
  const doFetch: typeof fetch = (input, init) =>
    (options.fetch ?? globalThis.fetch)(input, credentials ? { credentials, ...init } : init);

  function headers(extra: Record<string, string> = {}): Record<string, string> {
    const token = typeof options.token === 'function' ? options.token() : options.token;
    return token ? { ...extra, authorization: `Bearer ${token}` } : extra;
  }

  async function request<T>(schema: z.ZodType<T>, path: string, init: RequestInit = {}): Promise<T> {
    const url = `${baseUrl}${path}`;
    const response = await fetchOrExplain(doFetch, url, init);
    if (!response.ok) {
      const error = await errorFromResponse(response, url);
      noteRetryAfter(error, response.headers.get('retry-after'));
      throw error;
    }
    return schema.parse(await response.json());
  }

  function post<T>(schema: z.ZodType<T>, path: string, body: unknown, call?: PublishCallOptions): Promise<T> {
    // One key for every attempt: a retry of a publish that did land returns the first event's id.
    const key = call?.idempotencyKey ?? randomId();
    const init = (signal: AbortSignal): RequestInit => ({
      method: 'POST',
      headers: headers({ 'content-type': 'application/json', 'idempotency-key': key }),
      body: JSON.stringify(body),
      signal,
    });
    if (options.retry === false) return request(schema, path, init(AbortSignal.timeout(10_000)));
    return withRetries((signal) => request(schema, path, init(signal)), options.retry);
  }

  const subscriber = createSubscriber({
    url: `${baseUrl}/v1/events`,
    fetch: doFetch,
    headers,
    share: options.share === false ? false : { name: `ssehub ${baseUrl}|${(options.share === true ? undefined : options.share?.name) ?? ''}` },
  });

  return {
    publish: (event, call) => post(PublishResponseSchema, '/v1/publish', event, call),
    publishBatch: async (events, call) => (await post(PublishBatchResponseSchema, '/v1/publish', { events }, call)).events,
    sendRoomMessage: (room, text, author, call) =>
      post(PublishResponseSchema, `/v1/rooms/${encodeURIComponent(room)}/messages`, { text, author }, call),
    history: (topic, opts = {}) => {
      const query = new URLSearchParams();
      if (opts.after) query.set('after', opts.after);
      if (opts.limit) query.set('limit', String(opts.limit));
      return request(HistoryResponseSchema, `/v1/topics/${topic}/history?${query}`, { headers: headers() });
    },
    presence: (topic) => request(PresenceResponseSchema, `/v1/presence/${topic}`, { headers: headers() }),
    subscribe: subscriber as SsehubClient['subscribe'],
  };
}
