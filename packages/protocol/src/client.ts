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
} from './api.js';
import { ErrorBodySchema, SsehubError } from './errors.js';
import { subscribe, type SubscribeOptions, type Subscription } from './subscription.js';

/** Options of {@link createSsehubClient}. */
export interface SsehubClientOptions {
  /** Where the API lives, e.g. `http://localhost:8080`; empty for the page's own origin. */
  baseUrl?: string;
  /** Bearer token sent with every request. */
  token?: string | (() => string | undefined);
  /** The fetch to use; the global one by default. */
  fetch?: typeof fetch;
}

/** A typed client for the ssehub HTTP API. */
export interface SsehubClient {
  publish(event: PublishRequest, options?: { idempotencyKey?: string }): Promise<PublishResponse>;
  publishBatch(events: PublishRequest[], options?: { idempotencyKey?: string }): Promise<PublishResponse[]>;
  sendRoomMessage(room: string, text: string, author?: string): Promise<PublishResponse>;
  history(topic: string, options?: { after?: string; limit?: number }): Promise<HistoryResponse>;
  presence(topic: string): Promise<PresenceResponse>;
  subscribe(options: Omit<SubscribeOptions, 'url' | 'fetch' | 'headers'>): Subscription;
}

/** Creates a client; works in browsers and Node.js 20+. */
export function createSsehubClient(options: SsehubClientOptions = {}): SsehubClient {
  const baseUrl = (options.baseUrl ?? '').replace(/\/$/, '');
  const doFetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));

  function headers(extra: Record<string, string> = {}): Record<string, string> {
    const token = typeof options.token === 'function' ? options.token() : options.token;
    return token ? { ...extra, authorization: `Bearer ${token}` } : extra;
  }

  async function request<T>(schema: z.ZodType<T>, path: string, init: RequestInit = {}): Promise<T> {
    const response = await doFetch(`${baseUrl}${path}`, init);
    const body: unknown = await response.json().catch(() => undefined);
    if (!response.ok) {
      const error = ErrorBodySchema.safeParse(body);
      if (error.success) throw new SsehubError(error.data.error.code, error.data.error.message, response.status);
      throw new SsehubError('internal', `HTTP ${response.status} from ${path}`, response.status);
    }
    return schema.parse(body);
  }

  function post<T>(schema: z.ZodType<T>, path: string, body: unknown, idempotencyKey?: string): Promise<T> {
    const extra: Record<string, string> = { 'content-type': 'application/json' };
    if (idempotencyKey) extra['idempotency-key'] = idempotencyKey;
    return request(schema, path, { method: 'POST', headers: headers(extra), body: JSON.stringify(body) });
  }

  return {
    publish: (event, opts) => post(PublishResponseSchema, '/v1/publish', event, opts?.idempotencyKey),
    publishBatch: async (events, opts) =>
      (await post(PublishBatchResponseSchema, '/v1/publish', { events }, opts?.idempotencyKey)).events,
    sendRoomMessage: (room, text, author) =>
      post(PublishResponseSchema, `/v1/rooms/${encodeURIComponent(room)}/messages`, { text, author }),
    history: (topic, opts = {}) => {
      const query = new URLSearchParams();
      if (opts.after) query.set('after', opts.after);
      if (opts.limit) query.set('limit', String(opts.limit));
      return request(HistoryResponseSchema, `/v1/topics/${topic}/history?${query}`, { headers: headers() });
    },
    presence: (topic) => request(PresenceResponseSchema, `/v1/presence/${topic}`, { headers: headers() }),
    subscribe: (opts) => subscribe({ ...opts, url: `${baseUrl}/v1/events`, fetch: doFetch, headers }),
  };
}
