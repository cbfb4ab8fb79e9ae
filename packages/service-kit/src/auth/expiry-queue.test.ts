import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createExpiryQueue, type ExpiryQueue } from './expiry-queue.js';

describe('createExpiryQueue', () => {
  let queue: ExpiryQueue;
  // Time is what these tests are about: the clock and the queue's one timer are fake.
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    queue.close();
    vi.useRealTimers();
  });

  it('fires entries in deadline order, each once at its deadline, and never a cancelled one', () => {
    queue = createExpiryQueue();
    const fired: number[] = [];
    const start = Date.now();
    for (const offset of [120, 40, 80, 10, 60]) queue.add(start + offset, () => fired.push(offset));
    const cancel = queue.add(start + 50, () => fired.push(50));
    cancel();
    cancel();
    vi.advanceTimersByTime(79);
    expect(fired).toEqual([10, 40, 60]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual([10, 40, 60, 80]);
    vi.advanceTimersByTime(1000);
    expect(fired).toEqual([10, 40, 60, 80, 120]);
    expect(queue.size()).toBe(0);
  });

  it('re-arms its one timer when an earlier deadline arrives', () => {
    queue = createExpiryQueue();
    const fired: string[] = [];
    queue.add(Date.now() + 10_000, () => fired.push('late'));
    queue.add(Date.now() + 20, () => fired.push('early'));
    vi.advanceTimersByTime(20);
    expect(fired).toEqual(['early']);
    vi.advanceTimersByTime(10_000 - 20);
    expect(fired).toEqual(['early', 'late']);
  });

  it('fires a deadline already past on the next turn, not inside add', () => {
    queue = createExpiryQueue();
    let fired = false;
    queue.add(Date.now() - 1000, () => (fired = true));
    expect(fired).toBe(false);
    vi.advanceTimersByTime(0);
    expect(fired).toBe(true);
  });

  it('drops cancelled entries when they are most of the heap, so connection churn stays bounded', () => {
    queue = createExpiryQueue();
    const far = Date.now() + 3_600_000;
    for (let i = 0; i < 10_000; i += 1) queue.add(far + i, () => undefined)();
    expect(queue.size()).toBeLessThan(2100);
  });
});
