// Load and delivery checks shared by the cluster tests: numbered events in, per-client verdicts out.
import { READY_EVENT, decodeCursor } from '@ssehub/protocol';
import { openSse, type SseTestClient } from '@ssehub/testkit';

/** The event type the cluster tests publish; `data.n` is the publisher's sequence number. @default "test.seq" */
export const SEQ_EVENT_TYPE = 'test.seq';

/** One acknowledged publish: sequence number and the id the broker assigned. */
export interface Ack {
  readonly n: number;
  readonly id: string;
}

/** A delivered event, as the checks see it. */
export interface Delivered {
  readonly id: string;
  readonly n: number;
}

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
  readonly topic: string;
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

/** Publishes event `n` until it is acknowledged or `maxAttempts` ran out. */
async function publishUntilAcked(options: PublishSteadilyOptions, n: number): Promise<Ack> {
  const attempts = options.maxAttempts ?? 1;
  const key = `${options.topic}#${n}`;
  options.onSend?.(n);
  for (let attempt = 1; ; attempt += 1) {
    let status = 0;
    let body = '';
    try {
      const pad = options.padBytes ? 'x'.repeat(options.padBytes) : undefined;
      const response = await publishEvent(options.url, options.topic, n, key, AbortSignal.timeout(PUBLISH_TIMEOUT_MS), pad);
      status = response.status;
      body = await response.text();
      if (status === 201) return { n, id: (JSON.parse(body) as { id: string }).id };
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
    .map((event) => ({ id: event.id, n: (event.data as { n: number }).n }));
}

/** What went wrong for one client, empty arrays and zeros when nothing did. */
export interface DeliveryVerdict {
  readonly received: number;
  /** Acknowledged sequence numbers never delivered (first 20). */
  readonly missing: number[];
  /** Sequence numbers delivered more than once (first 20). */
  readonly duplicated: number[];
  /** Deliveries whose id was not above the previous one's. */
  readonly outOfOrder: number;
  /** Deliveries whose id differs from the one the publish was acknowledged with. */
  readonly wrongId: number;
}

/** The log position an event id carries (ids order events; sequence numbers `n` need not, with concurrent publishes). */
export function sequenceOf(id: string): number {
  const position = decodeCursor(id)?.positions[0];
  if (position === undefined) throw new Error(`malformed event id ${id}`);
  return position;
}

/** Compares what a client got with what was acknowledged: nothing lost, nothing twice, ids increasing. */
export function checkDelivery(delivered: readonly Delivered[], acks: readonly Ack[]): DeliveryVerdict {
  const idByN = new Map(acks.map((ack) => [ack.n, ack.id]));
  const seen = new Map<number, number>();
  let outOfOrder = 0;
  let wrongId = 0;
  delivered.forEach((event, index) => {
    seen.set(event.n, (seen.get(event.n) ?? 0) + 1);
    if (idByN.has(event.n) && idByN.get(event.n) !== event.id) wrongId += 1;
    const previous = delivered[index - 1];
    if (previous && sequenceOf(event.id) <= sequenceOf(previous.id)) outOfOrder += 1;
  });
  return {
    received: delivered.length,
    missing: acks.filter((ack) => !seen.has(ack.n)).map((ack) => ack.n).slice(0, 20),
    duplicated: [...seen].filter(([, times]) => times > 1).map(([n]) => n).slice(0, 20),
    outOfOrder,
    wrongId,
  };
}

/** The verdict every client must get. */
export function perfectDelivery(count: number): DeliveryVerdict {
  return { received: count, missing: [], duplicated: [], outOfOrder: 0, wrongId: 0 };
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
