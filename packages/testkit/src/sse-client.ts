import { request, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { READY_EVENT, createSseParser, type SseMessage } from '@ssehub/protocol';

/** A raw SSE reader for tests: a plain HTTP request whose body is parsed incrementally. */
export interface SseTestClient {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** Every dispatched message, control events included, in arrival order. */
  readonly messages: SseMessage[];
  readonly comments: string[];
  /** The raw text received, for byte-level assertions. */
  raw(): string;
  /** Event frames only (those with an `id:`), their envelopes parsed; the same array grows. */
  events(): { id: string; type: string; topic: string; data: any; ts: number }[];
  /** Resolves when `predicate` holds, checking on every message; rejects after `timeoutMs`. */
  waitFor(predicate: (client: SseTestClient) => boolean, what?: string, timeoutMs?: number): Promise<void>;
  /** Resolves when the server ended or broke the stream. */
  readonly ended: Promise<void>;
  /** Stops reading from the socket (a consumer that stalls). */
  pause(): void;
  close(): void;
}

/** True once the stream sent `ssehub.ready` (its subscription is live): `client.waitFor(ready, 'ready')`. */
export const ready = (client: SseTestClient): boolean => client.messages.some((message) => message.event === READY_EVENT);

/** Opens `url` as an SSE stream; resolves once the response headers arrived. */
export function openSse(url: string, headers: Record<string, string> = {}): Promise<SseTestClient> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { accept: 'text/event-stream', ...headers } });
    req.once('error', reject);
    req.once('response', (res: IncomingMessage) => {
      const messages: SseMessage[] = [];
      const events: ReturnType<SseTestClient['events']> = [];
      const comments: string[] = [];
      let raw = '';
      const waiters = new Set<() => void>();
      const parser = createSseParser({
        onMessage: (message) => {
          messages.push(message);
          // Parsed once on arrival: predicates call events() on every chunk.
          if (message.hasId) events.push(JSON.parse(message.data));
        },
        onComment: (text) => comments.push(text),
      });
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        raw += chunk;
        parser.feed(chunk);
        for (const waiter of waiters) waiter();
      });
      // A paused response never emits 'close'; the request does, once the socket is gone.
      const ended = new Promise<void>((done) => {
        res.once('close', () => done());
        res.once('error', () => done());
        req.once('close', () => done());
      });
      ended.then(() => {
        for (const waiter of waiters) waiter();
      });
      let isEnded = false;
      void ended.then(() => (isEnded = true));
      const client: SseTestClient = {
        status: res.statusCode ?? 0,
        headers: res.headers,
        messages,
        comments,
        raw: () => raw,
        events: () => events,
        ended,
        waitFor(predicate, what = 'condition', timeoutMs = 15_000) {
          return new Promise((done, fail) => {
            const check = (): void => {
              if (predicate(client)) {
                cleanup();
                done();
              } else if (isEnded) {
                cleanup();
                fail(new Error(`stream ended before ${what}; got ${messages.length} messages`));
              }
            };
            const timer = setTimeout(() => {
              cleanup();
              fail(new Error(`timed out waiting for ${what}; got ${messages.length} messages`));
            }, timeoutMs);
            const cleanup = (): void => {
              clearTimeout(timer);
              waiters.delete(check);
            };
            waiters.add(check);
            check();
          });
        },
        pause: () => res.pause(),
        close: () => {
          req.destroy();
          res.destroy();
        },
      };
      resolve(client);
    });
    req.end();
  });
}
