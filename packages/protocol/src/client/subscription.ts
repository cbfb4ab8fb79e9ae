import {
  READY_EVENT,
  RECONNECT_EVENT,
  RESET_EVENT,
  ReadyPayloadSchema,
  ResetPayloadSchema,
  type ReadyPayload,
  type ResetPayload,
} from '../api.js';
import type { SsehubError } from '../errors.js';
import { EventEnvelopeSchema, type EventEnvelope } from '../event.js';
import { errorFromResponse, fetchOrExplain, isRefused } from './http-error.js';
import { createSseParser, type SseMessage } from '../sse-parser.js';

/** Where a subscription stands. */
export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'closed';

/** Options of {@link subscribe}. */
export interface SubscribeOptions {
  url: string;
  topics: readonly string[];
  /** Resume after this event id. */
  lastEventId?: string;
  /** Who to count in the topics' presence (until tokens name the user). */
  user?: string;
  fetch: typeof fetch;
  headers: () => Record<string, string>;
  onEvent(event: EventEnvelope): void;
  onReady?(payload: ReadyPayload): void;
  onReset?(payload: ResetPayload): void;
  onStateChange?(state: ConnectionState): void;
  /**
   * A failed attempt: the subscription retries by itself, except after a 401 or 403 (an
   * {@link SsehubError} with the server's code, message, status and the URL), which closes it for good.
   */
  onError?(error: unknown): void;
}

/** A live subscription that reconnects and resumes by itself until closed. */
export interface Subscription {
  readonly lastEventId: string | undefined;
  readonly state: ConnectionState;
  close(): void;
}

/** Reconnection delay before the server sends `retry:`. @default 1000 */
export const DEFAULT_RETRY_MS = 1000;
/** Longest reconnection delay honoured, whatever `retry:` says. @default 600000 */
const MAX_RETRY_MS = 600_000;

/** Opens an SSE subscription over fetch (so it can send headers) and keeps it open. */
export function subscribe(options: SubscribeOptions): Subscription {
  let lastEventId = options.lastEventId;
  let state: ConnectionState = 'connecting';
  let retryMs = DEFAULT_RETRY_MS;
  // A 401 is retried once at once, with the headers (and a token function) read again; reset once connected.
  let tokenRefreshed = false;
  const abort = new AbortController();

  function setState(next: ConnectionState): void {
    if (state === next) return;
    state = next;
    options.onStateChange?.(next);
  }

  function handle(message: SseMessage): void {
    const payload: unknown = JSON.parse(message.data);
    if (message.event === READY_EVENT) {
      const ready = ReadyPayloadSchema.parse(payload);
      // Control events carry no id; adopting the ready cursor closes the gap before the first event.
      lastEventId ??= ready.cursor;
      setState('live');
      options.onReady?.(ready);
    } else if (message.event === RESET_EVENT) {
      // The old cursor is useless now; the ready event that follows brings a valid one.
      lastEventId = undefined;
      options.onReset?.(ResetPayloadSchema.parse(payload));
    } else if (message.event === RECONNECT_EVENT) {
      // The node is draining; the stream end that follows triggers the reconnect.
    } else {
      // A frame without `id:` is a live-only signal (presence): handed on, the cursor left where it is.
      if (message.hasId) lastEventId = message.lastEventId;
      options.onEvent(EventEnvelopeSchema.parse(payload));
    }
  }

  async function connectOnce(): Promise<void> {
    const query = new URLSearchParams();
    for (const topic of options.topics) query.append('topic', topic);
    if (options.user) query.set('user', options.user);
    const headers: Record<string, string> = { ...options.headers(), accept: 'text/event-stream' };
    if (lastEventId) headers['last-event-id'] = lastEventId;
    const url = `${options.url}?${query}`;
    const response = await fetchOrExplain(options.fetch, url, { headers, signal: abort.signal });
    if (!response.ok || !response.body) throw await errorFromResponse(response, url);
    tokenRefreshed = false;
    const parser = createSseParser({
      onMessage: (message) => {
        try {
          handle(message);
        } catch (error) {
          // A frame this client cannot read is reported and skipped; rethrowing would drop the stream
          // and resume at the same frame forever.
          if (message.hasId) lastEventId = message.lastEventId;
          options.onError?.(error);
        }
      },
      onRetry: (ms) => (retryMs = Math.min(ms, MAX_RETRY_MS)),
    });
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      parser.feed(value);
    }
  }

  async function run(): Promise<void> {
    while (!abort.signal.aborted) {
      try {
        await connectOnce();
      } catch (error) {
        if (abort.signal.aborted) break;
        if (isRefused(error) && error.status === 401 && !tokenRefreshed) {
          tokenRefreshed = true;
          continue;
        }
        options.onError?.(error);
        // Refused credentials stay refused: retrying forever would only hammer the server.
        if (isRefused(error)) break;
      }
      if (abort.signal.aborted) break;
      setState('reconnecting');
      await new Promise((resolve) => setTimeout(resolve, retryMs));
    }
    setState('closed');
  }

  void run();
  return {
    get lastEventId() {
      return lastEventId;
    },
    get state() {
      return state;
    },
    close: () => abort.abort(),
  };
}
