import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startRepeatingTask } from './repeating-task.js';

describe('startRepeatingTask', () => {
  // The interval is what is under test: the timers are fake.
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('runs on every interval, skips ticks while a run is still going, and stops', async () => {
    let runs = 0;
    let finish: (() => void) | undefined;
    const task = startRepeatingTask(
      () => {
        runs++;
        return new Promise<void>((resolve) => (finish = resolve));
      },
      100,
      (error) => {
        throw error;
      },
    );
    await vi.advanceTimersByTimeAsync(100);
    expect(runs).toBe(1);
    await vi.advanceTimersByTimeAsync(300);
    expect(runs).toBe(1);
    finish!();
    await vi.advanceTimersByTimeAsync(100);
    expect(runs).toBe(2);
    finish!();
    task.stop();
    await vi.advanceTimersByTimeAsync(1000);
    expect(runs).toBe(2);
  });

  it('hands a failed run to onError and keeps going', async () => {
    const errors: unknown[] = [];
    const task = startRepeatingTask(() => Promise.reject(new Error('broker down')), 50, (error) => errors.push(error));
    await vi.advanceTimersByTimeAsync(150);
    expect(errors.map((error) => (error as Error).message)).toEqual(['broker down', 'broker down', 'broker down']);
    task.stop();
  });
});
