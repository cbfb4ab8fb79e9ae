import type { ServerResponse } from 'node:http';
import type { Subscription } from '@ssehub/broker';
import type { Flushable, WriteScheduler } from './write-scheduler.js';

/** What a connection reports to its gateway. */
export interface SseConnectionHooks {
  /** It fell behind by more than its buffer allows and was cut off. */
  onSlow(connection: SseConnection): void;
  /** It closed, for whatever reason; called once. */
  onClose(connection: SseConnection): void;
  /** Frames were written (count), for the delivery counter. */
  onWritten(frames: number): void;
}

/**
 * One SSE stream: frames are queued and written once per tick; the bytes queued in the socket are
 * bounded, and a consumer that stops reading is cut off so it never delays anyone else. It resumes
 * from its last id when it reconnects.
 */
export class SseConnection implements Flushable {
  queued = false;
  subscription: Subscription | undefined;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private started = false;
  private closed = false;
  // Raised while the catch-up burst written at start drains, then back to the plain limit.
  private allowance: number;

  constructor(
    readonly res: ServerResponse,
    private readonly scheduler: WriteScheduler,
    private readonly maxBufferBytes: number,
    private readonly hooks: SseConnectionHooks,
  ) {
    this.allowance = maxBufferBytes;
    res.once('close', () => this.close());
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /** Queues a frame; written at the end of this tick once the stream started. */
  enqueue(frame: Buffer): void {
    if (this.closed) return;
    this.pending.push(frame);
    this.pendingBytes += frame.length;
    if (this.started) this.scheduler.schedule(this);
  }

  /** Sends the headers and everything queued so far (retry, reset, catch-up, ready). */
  start(headers: Readonly<Record<string, string>>): void {
    if (this.closed) return;
    this.res.writeHead(200, headers);
    this.started = true;
    this.flush();
    // The catch-up burst may exceed the limit once; it has to drain before the plain limit applies.
    this.allowance = this.maxBufferBytes + this.res.writableLength;
  }

  flush(): void {
    if (this.closed || this.pending.length === 0) return;
    // Judge by what earlier ticks left unsent, not by this tick's burst: a reader that keeps up
    // drains the socket between ticks, one that stalls lets it pile up past the limit.
    const unsent = this.res.writableLength;
    if (unsent <= this.maxBufferBytes) this.allowance = this.maxBufferBytes;
    else if (unsent > this.allowance) return this.cutOff();
    const frames = this.pending.length;
    const chunk = frames === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    this.res.write(chunk);
    this.hooks.onWritten(frames);
  }

  /** Writes a last frame and ends the stream cleanly (drain). */
  end(lastFrame?: Buffer): void {
    if (this.closed) return;
    if (lastFrame) this.enqueue(lastFrame);
    if (this.started) this.flush();
    this.res.end();
    this.close();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.pending = [];
    this.subscription?.close();
    this.hooks.onClose(this);
  }

  private cutOff(): void {
    this.hooks.onSlow(this);
    this.close();
    this.res.destroy();
  }
}
