import type { ServerResponse } from 'node:http';

/** Response headers of a yardstick stream: the gateway's SSE headers. */
export const STREAM_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
});

/** Sent first on every stream, as the gateway does; it also puts the response head on the wire. @default "retry: 3000" */
export const RETRY_FRAME = 'retry: 3000\n\n';

/** Largest publish body a yardstick reads, as the ingest's `MAX_BODY_BYTES` default. @default 65536 */
export const MAX_BODY_BYTES = 65_536;

/** One publish as `POST /v1/publish` takes it (ssehub and the yardsticks share the body). */
export interface PublishBody {
  readonly topic: string;
  readonly type: string;
  readonly data: unknown;
}

/** What a publish answers with 201. */
export interface PublishAck {
  readonly id: string;
  readonly topic: string;
}

/** The `{topic, type, data}` of a parsed body, or undefined when it is not that shape. */
export function readPublish(body: unknown): PublishBody | undefined {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const { topic, type, data } = body as Record<string, unknown>;
  if (typeof topic !== 'string' || topic === '' || typeof type !== 'string' || type === '' || data === undefined) return undefined;
  return { topic, type, data };
}

/** The SSE frame of one event: `id:`, `event:`, and the gateway's envelope as `data:` (JSON has no line breaks). */
export function eventFrame(id: string, event: PublishBody, ts: number): string {
  const envelope = JSON.stringify({ id, topic: event.topic, type: event.type, data: event.data, ts });
  return `id: ${id}\nevent: ${event.type}\ndata: ${envelope}\n\n`;
}

/**
 * The only state a yardstick keeps: the open streams of each topic and a per-topic event number.
 * A publish writes one frame to each stream of its topic, nothing more (no history, no broker).
 */
export class TopicStreams {
  private readonly streams = new Map<string, Set<ServerResponse>>();
  private readonly numbers = new Map<string, number>();

  /** Starts an SSE response on `res` and adds it to `topic` until it closes. */
  open(topic: string, res: ServerResponse): void {
    res.writeHead(200, STREAM_HEADERS);
    res.write(RETRY_FRAME);
    let streams = this.streams.get(topic);
    if (streams === undefined) this.streams.set(topic, (streams = new Set()));
    streams.add(res);
    res.once('close', () => {
      streams.delete(res);
      if (streams.size === 0 && this.streams.get(topic) === streams) this.streams.delete(topic);
    });
  }

  /** Writes the event's frame to every stream of its topic. */
  publish(event: PublishBody): PublishAck {
    const n = (this.numbers.get(event.topic) ?? 0) + 1;
    this.numbers.set(event.topic, n);
    const id = String(n);
    const streams = this.streams.get(event.topic);
    if (streams !== undefined) {
      const frame = eventFrame(id, event, Date.now());
      for (const res of streams) res.write(frame);
    }
    return { id, topic: event.topic };
  }

  /** Open streams over all topics. */
  get size(): number {
    let size = 0;
    for (const streams of this.streams.values()) size += streams.size;
    return size;
  }
}

/** `{"error":{"code","message"}}`, as ssehub answers bad requests. */
export function errorJson(code: string, message: string): string {
  return JSON.stringify({ error: { code, message } });
}
