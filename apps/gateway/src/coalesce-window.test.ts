import { describe, expect, it, vi } from 'vitest';
import { CoalesceWindow, NARROW_AT_WRITE_SHARE, SAMPLE_MS, WIDEN_AT_WRITE_SHARE } from './coalesce-window.js';

describe('CoalesceWindow', () => {
  it('doubles after every two saturated samples, up to its maximum, and is back at its base once the loop has room', () => {
    const window = new CoalesceWindow(30, 240);
    const between = (WIDEN_AT_WRITE_SHARE + NARROW_AT_WRITE_SHARE) / 2;
    try {
      expect(window.ms).toBe(30);
      const widths = [0.95, 0.9, 0.65, 0.99, 0.99, 0.99, 0.9, 0.9, 0.9, 0.9].map((busy) => (window.adapt(busy), window.ms));
      expect(widths).toEqual([30, 60, 60, 120, 120, 240, 240, 240, 240, 240]);
      window.adapt(between);
      expect(window.ms).toBe(240);
      window.adapt(0.2);
      expect(window.ms).toBe(30);
    } finally {
      window.close();
    }
  });

  it('does not widen for one busy sample between quieter ones (one heartbeat round)', () => {
    const window = new CoalesceWindow(30, 240);
    try {
      const widths = [0.95, 0.5, 0.95, 0.2, 0.99].map((busy) => (window.adapt(busy), window.ms));
      expect(widths).toEqual([30, 30, 30, 30, 30]);
    } finally {
      window.close();
    }
  });

  it('never widens when its maximum is not above its base, or when coalescing is off', () => {
    for (const [base, max] of [[30, 30], [0, 240]] as const) {
      const window = new CoalesceWindow(base, max);
      window.close();
      expect(window.ms).toBe(base);
    }
  });

  it('samples the writing time it is told about, once per sample period', () => {
    // The sample period is a length of time: its timer and performance.now are fake.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'performance'] });
    const window = new CoalesceWindow(30, 240);
    try {
      window.addWritingTime(SAMPLE_MS * 0.9);
      vi.advanceTimersByTime(SAMPLE_MS);
      expect(window.ms).toBe(30);
      window.addWritingTime(SAMPLE_MS * 0.9);
      vi.advanceTimersByTime(SAMPLE_MS - 1);
      expect(window.ms).toBe(30);
      vi.advanceTimersByTime(1);
      expect(window.ms).toBe(60);
    } finally {
      window.close();
      vi.useRealTimers();
    }
  });
});
