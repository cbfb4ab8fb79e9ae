import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MEASURED_PASS_WRITES, WriteScheduler, type Flushable } from './write-scheduler.js';

function stream(): Flushable & { writes: number[] } {
  const writes: number[] = [];
  return {
    queued: false,
    lastWriteAt: -Infinity,
    writes,
    flush: () => void writes.push(performance.now()),
  };
}

/** Runs what setImmediate queued (the scheduler's per-tick flush). */
const tick = (): void => void vi.advanceTimersByTime(0);

describe('WriteScheduler', () => {
  // The window is a length of time: the clock (performance.now) and the timers are fake.
  beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'performance'] }));
  afterEach(() => vi.useRealTimers());

  it('flushes a connection once per tick however often it was scheduled', () => {
    const scheduler = new WriteScheduler(0);
    const target = stream();
    for (let i = 0; i < 5; i++) scheduler.schedule(target);
    tick();
    expect(target.writes).toHaveLength(1);
    scheduler.schedule(target);
    tick();
    expect(target.writes).toHaveLength(2);
  });

  it('makes a busy stream wait out the window, so its frequent events share one write', () => {
    const scheduler = new WriteScheduler(40);
    const target = stream();
    scheduler.schedule(target);
    tick();
    expect(target.writes).toHaveLength(1);
    for (let i = 0; i < 4; i++) {
      vi.advanceTimersByTime(5);
      scheduler.schedule(target);
    }
    tick();
    expect(target.writes).toHaveLength(1);
    vi.advanceTimersByTime(40 - 20 - 1);
    expect(target.writes).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(target.writes).toHaveLength(2);
    expect(target.writes[1]! - target.writes[0]!).toBe(40);
  });

  it('writes at once for a stream that was quiet for longer than the window', () => {
    const scheduler = new WriteScheduler(20);
    const target = stream();
    scheduler.schedule(target);
    tick();
    vi.advanceTimersByTime(30);
    const scheduledAt = performance.now();
    scheduler.schedule(target);
    tick();
    expect(target.writes).toEqual([target.writes[0], scheduledAt]);
  });

  it('reads the CPU clock only for passes large enough to saturate the process, not for a lone delivery', () => {
    const cpuUsage = vi.spyOn(process, 'cpuUsage');
    try {
      const scheduler = new WriteScheduler(20, 240);
      const lone = stream();
      scheduler.schedule(lone);
      tick();
      expect(lone.writes).toHaveLength(1);
      expect(cpuUsage).not.toHaveBeenCalled();
      const many = Array.from({ length: MEASURED_PASS_WRITES }, stream);
      for (const target of many) scheduler.schedule(target);
      tick();
      expect(many.every((target) => target.writes.length === 1)).toBe(true);
      expect(cpuUsage).toHaveBeenCalledTimes(2);
      scheduler.close();
    } finally {
      cpuUsage.mockRestore();
    }
  });
});
