import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { BrokerError } from '@ssehub/broker';
import type { BrokerSubscription, LiveSignal, StoredEvent, SubscriptionListener } from '@ssehub/broker';
import type { ResetReason } from '@ssehub/protocol';
import type { EventsRequest } from './events-request.js';
import { LAST_CHUNK, joinFrames, resetFrame, unframe, type WireFrame } from './frames.js';
import { responseHead, type BodyFraming } from './response-head.js';
import { SSE_HEADERS } from './sse-headers.js';
import type { Flushable, WriteScheduler } from './write-scheduler.js';

/** What a connection reports to its gateway. */
export interface SseConnectionHooks {
  /** It fell behind by more than its buffer allows and was cut off. */
  onSlow(connection: SseConnection): void;
  /** It closed, for whatever reason; called once. */
  onClose(connection: SseConnection): void;
  /** Frames were written: `more` holds all of them when there are several, else `first` alone. */
  onWritten(first: WireFrame, more: readonly WireFrame[] | null): void;
  /** The wire frame of an event or signal (`live` unless replayed from history): serialised once, whichever stream asks first. */
  frameFor(event: StoredEvent | LiveSignal, live: boolean): WireFrame;
  /** The broker ended the subscription; the stream ends right after. */
  onBrokerError(connection: SseConnection, error: Error): void;
}

/**
 * One SSE stream: frames are queued and written once per tick; the bytes queued in the socket are
 * bounded, and a consumer that stops reading is cut off so it never delays anyone else. It resumes
 * from its last id when it reconnects. Catch-up is paced the same way: past half its buffer limit the stream
 * starts writing and the broker waits for the socket to drain before it replays more history.
 *
 * Once started, the stream writes its own response head and then wire frames straight to the
 * socket: one `write` per tick, no per-write HTTP framing, no per-response header strings. While
 * idle it holds no buffer and no timer: an empty queue is two null fields. It is its own
 * subscription listener, so a stream costs no closures on the delivery path.
 */
export class SseConnection implements Flushable, SubscriptionListener {
  queued = false;
  lastWriteAt = -Infinity;
  subscription: BrokerSubscription | undefined;
  /** The only queued frame, or the first of several (then all are in `more`). */
  private first: WireFrame | null = null;
  private more: WireFrame[] | null = null;
  private pendingBytes = 0;
  private socket: Socket | null = null;
  private framing: BodyFraming = 'chunked';
  private started = false;
  private closed = false;
  // Raised while the catch-up burst written at start drains, then back to the plain limit.
  private allowance: number;

  constructor(
    readonly res: ServerResponse,
    private readonly scheduler: WriteScheduler,
    private readonly maxBufferBytes: number,
    private readonly hooks: SseConnectionHooks,
    readonly request: Pick<EventsRequest, 'topics' | 'lastEventId'>,
  ) {
    this.allowance = maxBufferBytes;
    res.on('close', () => this.close());
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /** True once the response head went out (at `start`, or earlier when catch-up filled the buffer). */
  get hasStarted(): boolean {
    return this.started;
  }

  /** A live or replayed event of the subscription; live once the subscription is handed over (see openStream). */
  onEvent(event: StoredEvent): void {
    this.enqueue(this.hooks.frameFor(event, this.subscription !== undefined));
  }

  /** A live-only signal (presence): framed without `id:`, so it never moves the client's cursor. */
  onSignal(signal: LiveSignal): void {
    this.enqueue(this.hooks.frameFor(signal, true));
  }

  /** The resume could not be served without a gap: tell the client before any event. */
  onReset(reason: ResetReason, topics: readonly string[] = this.request.topics): void {
    const { lastEventId = '' } = this.request;
    this.enqueue(resetFrame({ reason, lastEventId, topics: [...topics] }));
  }

  onError(error: Error): void {
    // Too many live events came while its catch-up waited for it: a slow consumer, not a broker fault.
    if (error instanceof BrokerError && error.code === 'slow_consumer') return this.cutOff();
    this.hooks.onBrokerError(this, error);
    this.end();
  }

  /**
   * Catch-up asks after each replayed event. Past half the buffer limit, what is queued is written (the
   * stream starts if it had not) and catch-up waits until the socket drained; a stream that closes
   * meanwhile rejects, which ends the subscription. Half, so that catch-up alone never leaves more than
   * the limit unsent: the held live events decide whether a stalled catch-up is a slow consumer.
   */
  backpressure(): Promise<void> | undefined {
    if (this.closed) return Promise.reject(new Error('the stream closed during catch-up'));
    const socket = this.socket;
    if (this.pendingBytes + (socket?.writableLength ?? 0) <= this.maxBufferBytes / 2) return undefined;
    if (socket === null) this.start(SSE_HEADERS);
    else this.writeQueued(socket);
    const started = this.socket;
    if (this.closed || started === null) return Promise.reject(new Error('the stream closed during catch-up'));
    if (!started.writableNeedDrain) return undefined;
    return new Promise((resolve, reject) => {
      const settle = (): void => {
        started.off('drain', settle);
        started.off('close', settle);
        if (this.closed) reject(new Error('the stream closed during catch-up'));
        else resolve();
      };
      started.on('drain', settle);
      started.on('close', settle);
    });
  }

  /** Queues a frame; written at the end of this tick once the stream started. */
  enqueue(frame: WireFrame): void {
    if (this.closed) return;
    if (this.first === null) this.first = frame;
    else if (this.more === null) this.more = [this.first, frame];
    else this.more.push(frame);
    this.pendingBytes += frame.length;
    if (this.started) this.scheduler.schedule(this);
  }

  /** Sends the head and everything queued so far (retry, reset, catch-up, ready) in one write. */
  start(headers: Readonly<Record<string, string>>): void {
    // Catch-up may have started it already; what was queued since goes out with the next flush.
    if (this.started) return;
    const socket = this.res.socket;
    if (this.closed || socket === null || socket.destroyed) return this.close();
    this.socket = socket;
    this.framing = this.res.req.httpVersionMinor === 0 ? 'close' : 'chunked';
    this.started = true;
    const { first, more } = this;
    socket.write(this.take(responseHead(this.res, headers, this.framing)));
    if (first !== null) this.hooks.onWritten(first, more);
    // The catch-up burst may exceed the limit once; it has to drain before the plain limit applies.
    this.allowance = this.maxBufferBytes + socket.writableLength;
  }

  flush(): void {
    const socket = this.socket;
    if (this.closed || socket === null || this.first === null) return;
    // Judge by what earlier ticks left unsent, not by this tick's burst: a reader that keeps up
    // drains the socket between ticks, one that stalls lets it pile up past the limit.
    const unsent = socket.writableLength;
    if (unsent <= this.maxBufferBytes) this.allowance = this.maxBufferBytes;
    else if (unsent > this.allowance) return this.cutOff();
    this.writeQueued(socket);
  }

  private writeQueued(socket: Socket): void {
    const { first, more } = this;
    if (first === null) return;
    socket.write(this.take());
    this.hooks.onWritten(first, more);
  }

  /** Writes a last frame and ends the stream cleanly (drain, expired token). */
  end(lastFrame?: WireFrame): void {
    if (this.closed) return;
    if (lastFrame) this.enqueue(lastFrame);
    if (!this.started) {
      this.res.end();
      return this.close();
    }
    this.flush();
    if (this.closed) return;
    if (this.framing === 'chunked') this.socket!.write(LAST_CHUNK);
    // The response is never reused: the stream's end is the connection's end.
    this.socket!.end();
    this.close();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.first = null;
    this.more = null;
    this.subscription?.close();
    this.hooks.onClose(this);
  }

  /** Empties the queue into one Buffer (the shared frame itself when it is the only one). */
  private take(head?: Buffer): Buffer {
    const only = this.first;
    if (head === undefined && this.more === null && only !== null && this.framing === 'chunked') {
      this.first = null;
      this.pendingBytes = 0;
      return only;
    }
    const queued = this.more ?? (this.first === null ? [] : [this.first]);
    const parts: Buffer[] = this.framing === 'chunked' ? queued : queued.map(unframe);
    const bytes = this.framing === 'chunked' ? this.pendingBytes : undefined;
    this.first = null;
    this.more = null;
    this.pendingBytes = 0;
    if (head !== undefined) return Buffer.concat([head, ...parts]);
    if (parts.length === 1) return parts[0]!;
    return bytes === undefined ? Buffer.concat(parts) : joinFrames(queued, bytes);
  }

  private cutOff(): void {
    this.hooks.onSlow(this);
    this.close();
    this.res.destroy();
  }
}
