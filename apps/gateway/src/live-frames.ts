import type { LiveSignal, StoredEvent } from '@ssehub/broker';
import { eventFrame, type WireFrame } from './frames.js';

/** Live frames waiting for their first write, at most; past it the oldest are no longer timed. @default 4096 */
export const UNWRITTEN_FRAMES_TIMED = 4096;

/**
 * The wire frames of a node's events, and the time from publish to their first socket write.
 *
 * One slot: a live event or signal reaches all its local subscribers in one synchronous loop, so it
 * is serialised once, by whichever stream asks first. A live frame is timed when the first stream
 * writes it (the coalescing window may hold it a while); a replayed one never is, since its age is
 * the client's absence, not the node's delay.
 */
export class LiveFrames {
  private lastEvent: StoredEvent | LiveSignal | undefined;
  private lastFrame: WireFrame | undefined;
  // Live frames no stream wrote yet, with their publish time (ms since the epoch).
  private readonly unwritten = new Map<WireFrame, number>();

  /** @param onFirstWrite gets the milliseconds from publish to the first write of a live frame. */
  constructor(private readonly onFirstWrite: (ms: number) => void) {}

  /** The frame of an event or signal; `live` when it comes from the live feed, not from history. */
  frameFor(event: StoredEvent | LiveSignal, live: boolean): WireFrame {
    if (event === this.lastEvent && this.lastFrame !== undefined) return this.lastFrame;
    const frame = eventFrame(event);
    this.lastEvent = event;
    this.lastFrame = frame;
    if (live) {
      if (this.unwritten.size >= UNWRITTEN_FRAMES_TIMED) this.unwritten.delete(this.unwritten.keys().next().value!);
      this.unwritten.set(frame, event.ts);
    }
    return frame;
  }

  /** A stream wrote these frames (`more` holds all of them when there are several, else `first` alone). */
  written(first: WireFrame, more: readonly WireFrame[] | null): void {
    // After the first stream of a topic wrote an event, its other subscribers pass here at once.
    if (this.unwritten.size === 0) return;
    if (more === null) return this.timeFirstWrite(first);
    for (const frame of more) this.timeFirstWrite(frame);
  }

  private timeFirstWrite(frame: WireFrame): void {
    const ts = this.unwritten.get(frame);
    if (ts === undefined) return;
    this.unwritten.delete(frame);
    this.onFirstWrite(Math.max(0, Date.now() - ts));
  }
}
