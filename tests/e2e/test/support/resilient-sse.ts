// A reconnecting SSE reader for the fault tests: what EventSource does (honours `retry:`, resumes with
// Last-Event-ID), plus retrying after a non-200 answer the way the chat client does, with figures.
import { request, type ClientRequest } from 'node:http';
import { READY_EVENT, RESET_EVENT, createSseParser, type SseMessage } from '@ssehub/protocol';
import { SEQ_EVENT_TYPE } from './cluster-load.js';
import type { Delivered } from './delivery-check.js';

/** Delay before reconnecting when the server never sent `retry:`. @default 500 */
export const DEFAULT_RETRY_MS = 500;

/** One client that keeps its subscription alive across broken streams, nodes and refusals. */
export interface ResilientStream {
  /** Numbered events of its topics over every session, in arrival order. */
  readonly delivered: Delivered[];
  /** The node that served each session, in order. */
  readonly nodes: string[];
  /** Milliseconds from a stream breaking to the next session's `ssehub.ready`, one per resume. */
  readonly resumeMs: number[];
  /** `ssehub.reset` frames seen (each would be a gap the client had to refetch across). */
  resets(): number;
  /** Answers other than 200 while reconnecting (503 while the broker is away, ...). */
  refusals(): number;
  /** Resolves once `count` events arrived; rejects after `timeoutMs`. */
  waitForCount(count: number, timeoutMs: number): Promise<void>;
  close(): void;
}

/** Options of {@link openResilientStream}. */
export interface ResilientStreamOptions {
  /** Called as each numbered event of its topics arrives (latency probes read the clock here). */
  readonly onDelivered?: (event: Delivered) => void;
}

/**
 * Opens `/v1/events?topic=…` at `baseUrl`, one stream over every topic given, and keeps it open;
 * resolves once the first session is live.
 */
export function openResilientStream(baseUrl: string, topic: string | readonly string[], options: ResilientStreamOptions = {}): Promise<ResilientStream> {
  const topics = new Set(typeof topic === 'string' ? [topic] : topic);
  const path = `/v1/events?${[...topics].map((name) => `topic=${encodeURIComponent(name)}`).join('&')}`;
  const delivered: Delivered[] = [];
  const nodes: string[] = [];
  const resumeMs: number[] = [];
  const waiters = new Set<() => void>();
  let resets = 0;
  let refusals = 0;
  let lastEventId = '';
  let retryMs = DEFAULT_RETRY_MS;
  let brokeAt: number | undefined;
  let closed = false;
  let current: ClientRequest | undefined;
  let firstReady: () => void = () => undefined;

  const onMessage = (message: SseMessage): void => {
    if (message.hasId) {
      lastEventId = message.lastEventId;
      const event = JSON.parse(message.data) as { id: string; topic: string; type: string; data: { n: number } };
      if (topics.has(event.topic) && event.type === SEQ_EVENT_TYPE) {
        const numbered = { id: event.id, topic: event.topic, n: event.data.n };
        delivered.push(numbered);
        options.onDelivered?.(numbered);
      }
      for (const waiter of waiters) waiter();
    } else if (message.event === READY_EVENT) {
      nodes.push((JSON.parse(message.data) as { node: string }).node);
      if (brokeAt !== undefined) resumeMs.push(performance.now() - brokeAt);
      brokeAt = undefined;
      firstReady();
    } else if (message.event === RESET_EVENT) {
      resets += 1;
    }
  };

  function reconnectLater(): void {
    if (closed) return;
    brokeAt ??= performance.now();
    setTimeout(connect, retryMs);
  }

  function connect(): void {
    if (closed) return;
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (lastEventId) headers['last-event-id'] = lastEventId;
    const req = request(`${baseUrl}${path}`, { headers });
    current = req;
    let ended = false;
    const end = (): void => {
      if (ended) return;
      ended = true;
      reconnectLater();
    };
    req.once('error', end);
    req.once('close', end);
    req.once('response', (res) => {
      if (res.statusCode !== 200) {
        refusals += 1;
        res.resume();
        return;
      }
      const parser = createSseParser({ onMessage, onRetry: (ms) => (retryMs = ms) });
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => parser.feed(chunk));
      res.once('error', end);
    });
    req.end();
  }

  const stream: ResilientStream = {
    delivered,
    nodes,
    resumeMs,
    resets: () => resets,
    refusals: () => refusals,
    waitForCount(count, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (delivered.length < count) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out with ${delivered.length} of ${count} events (sessions on ${nodes.join(', ')})`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close() {
      closed = true;
      current?.destroy();
    },
  };
  return new Promise((resolve) => {
    firstReady = () => {
      firstReady = () => undefined;
      resolve(stream);
    };
    connect();
  });
}
