// Load shared by the cluster tests: numbered events published steadily to one topic or several, and read back.
import { READY_EVENT } from '@ssehub/protocol';
import { openSse, type SseTestClient } from '@ssehub/testkit';
import type { Ack, Delivered } from './delivery-check.js';

/** The event type the cluster tests publish; `data.n` is the publisher's sequence number. @default "test.seq" */
export const SEQ_EVENT_TYPE = 'test.seq';

/**
 * `POST /v1/publish` of `{n}` (plus `pad`, a filler string that makes the event bigger, when given) on
 * `topic`; returns the raw response (callers decide what a non-201 means).
 */
export function publishEvent(baseUrl: string, topic: string, n: number, idempotencyKey?: string, signal?: AbortSignal, pad?: string): Promise<Response> {
  return fetch(`${baseUrl}/v1/publish`, {
    method: 'POST',
    signal,
    headers: { 'content-type': 'application/json', ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}) },
    body: JSON.stringify({ topic, type: SEQ_EVENT_TYPE, data: pad === undefined ? { n } : { n, pad } }),
  });
}

/** Options of {@link publishSteadily}. */
export interface PublishSteadilyOptions {
  readonly url: string;
  /** The topic, or topics `t[0..K-1]`: event `n` goes to `t[n % K]`. */
  readonly topic: string | readonly string[];
  readonly count: number;
  /** Events per second; each publish starts on its own tick of a fixed schedule. */
  readonly ratePerS: number;
  /** First sequence number. @default 0 */
  readonly from?: number;
  /** Filler characters added to each event's data (a hot topic with big events fills buffers fast). @default 0 */
  readonly padBytes?: number;
  /** Called right before event `n` is first sent (the start of its publish-to-receive latency). */
  readonly onSend?: (n: number) => void;
  /** Called after each acknowledged publish (the test's clock for faults "mid-stream"). */
  readonly onAck?: (ack: Ack) => void | Promise<void>;
  /**
   * Attempts per event; a failed one is retried after {@link RETRY_PAUSE_MS} with the same
   * Idempotency-Key, so an event the broker took before the answer was lost is not stored twice. @default 1
   */
  readonly maxAttempts?: number;
  /**
   * Publishes in flight at once; more than 1 keeps the rate when one round trip takes longer than the
   * interval (ids then need not follow `n`; the checks compare by both). @default 1
   */
  readonly concurrency?: number;
  /** Called for each failed attempt: the status, or 0 when no answer came within {@link PUBLISH_TIMEOUT_MS}. */
  readonly onRefused?: (n: number, status: number, body: string) => void;
}

/** Pause between attempts of one publish. @default 100 */
export const RETRY_PAUSE_MS = 100;
/** How long one publish attempt may take before it counts as unanswered. @default 10000 */
export const PUBLISH_TIMEOUT_MS = 10_000;

/** The topic event `n` goes to: the one topic, or `topics[n % K]`. */
export function topicOf(topic: string | readonly string[], n: number): string {
  if (typeof topic === 'string') return topic;
  const chosen = topic[n % topic.length];
  if (chosen === undefined) throw new Error('publishing needs at least one topic');
  return chosen;
}

/** Publishes event `n` until it is acknowledged or `maxAttempts` ran out. */
async function publishUntilAcked(options: PublishSteadilyOptions, n: number): Promise<Ack> {
  const attempts = options.maxAttempts ?? 1;
  const topic = topicOf(options.topic, n);
  const key = `${topic}#${n}`;
  options.onSend?.(n);
  for (let attempt = 1; ; attempt += 1) {
    let status = 0;
    let body = '';
    try {
      const pad = options.padBytes ? 'x'.repeat(options.padBytes) : undefined;
      const response = await publishEvent(options.url, topic, n, key, AbortSignal.timeout(PUBLISH_TIMEOUT_MS), pad);
      status = response.status;
      body = await response.text();
      if (status === 201) return { n, topic, id: (JSON.parse(body) as { id: string }).id };
    } catch (error) {
      body = String(error);
    }
    options.onRefused?.(n, status, body);
    if (attempt >= attempts) throw new Error(`publish #${n} answered ${status || 'nothing'} on attempt ${attempt}: ${body}`);
    await new Promise((resolve) => setTimeout(resolve, RETRY_PAUSE_MS));
  }
}

/** Publishes `count` numbered events at a steady rate; each must end up acknowledged (201). Acks come back sorted by `n`. */
export async function publishSteadily(options: PublishSteadilyOptions): Promise<Ack[]> {
  const acks: Ack[] = [];
  const from = options.from ?? 0;
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  const start = performance.now();
  for (let index = 0; index < options.count && failure === undefined; index += 1) {
    const wait = start + (index * 1000) / options.ratePerS - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    while (inFlight.size >= (options.concurrency ?? 1)) await Promise.race(inFlight);
    const task: Promise<void> = publishUntilAcked(options, from + index)
      .then(async (ack) => {
        acks.push(ack);
        await options.onAck?.(ack);
      })
      .catch((error: unknown) => void (failure ??= error))
      .finally(() => inFlight.delete(task));
    inFlight.add(task);
  }
  await Promise.all(inFlight);
  if (failure !== undefined) throw failure;
  return acks.sort((a, b) => a.n - b.n);
}

/** The numbered events a client received on `topic`, in arrival order. */
export function deliveredOn(client: SseTestClient, topic: string): Delivered[] {
  return client
    .events()
    .filter((event) => event.topic === topic && event.type === SEQ_EVENT_TYPE)
    .map((event) => ({ id: event.id, topic, n: (event.data as { n: number }).n }));
}

/** The node named by the stream's `ssehub.ready` frame (which gateway serves it). */
export function servingNode(client: SseTestClient): string | undefined {
  const ready = client.messages.find((message) => message.event === READY_EVENT);
  return ready ? (JSON.parse(ready.data) as { node: string }).node : undefined;
}

/** Opens `/v1/events?topic=…` at `baseUrl` and waits for `ssehub.ready` (the subscription is live). */
export async function openLiveStream(baseUrl: string, topic: string, headers: Record<string, string> = {}): Promise<SseTestClient> {
  const client = await openSse(`${baseUrl}/v1/events?topic=${encodeURIComponent(topic)}`, headers);
  if (client.status !== 200) throw new Error(`stream on ${baseUrl} answered ${client.status}: ${client.raw()}`);
  await client.waitFor((c) => servingNode(c) !== undefined, 'ssehub.ready');
  return client;
}
