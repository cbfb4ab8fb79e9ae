import type { StoredEvent } from '@ssehub/broker';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LiveFrames } from './live-frames.js';

const event = (seq: number, ts: number): StoredEvent => ({ id: `e-${seq}`, seq, topic: 'users/ana/notifications', type: 'note', data: seq, ts });

describe('LiveFrames', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 10_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('serialises an event once for every stream that asks', () => {
    const frames = new LiveFrames(() => {});
    const live = event(1, 9_000);
    expect(frames.frameFor(live, true)).toBe(frames.frameFor(live, true));
  });

  it('times a live frame once, at its first write, not when it is serialised', () => {
    const timed: number[] = [];
    const frames = new LiveFrames((ms) => timed.push(ms));
    const frame = frames.frameFor(event(1, 9_990), true);
    vi.advanceTimersByTime(30);
    frames.written(frame, null);
    frames.written(frame, null);
    expect(timed).toEqual([40]);
  });

  it('times each live frame of a batched write and never a replayed one', () => {
    const timed: number[] = [];
    const frames = new LiveFrames((ms) => timed.push(ms));
    const replayed = frames.frameFor(event(1, 1_000), false);
    const a = frames.frameFor(event(2, 9_995), true);
    const b = frames.frameFor(event(3, 9_999), true);
    frames.written(replayed, [replayed, a, b]);
    expect(timed).toEqual([5, 1]);
  });
});
