import { afterEach, describe, expect, it } from 'vitest';
import { createExpiryQueue, type ExpiryQueue } from './expiry-queue.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('createExpiryQueue', () => {
  let queue: ExpiryQueue;
  afterEach(() => queue.close());

  it('fires entries in deadline order, each once, and never a cancelled one', async () => {
    queue = createExpiryQueue();
    const fired: number[] = [];
    const start = Date.now();
    for (const offset of [120, 40, 80, 10, 60]) queue.add(start + offset, () => fired.push(offset));
    const cancel = queue.add(start + 50, () => fired.push(50));
    cancel();
    cancel();
    await sleep(200);
    expect(fired).toEqual([10, 40, 60, 80, 120]);
    expect(queue.size()).toBe(0);
  });

  it('re-arms its one timer when an earlier deadline arrives', async () => {
    queue = createExpiryQueue();
    const fired: string[] = [];
    queue.add(Date.now() + 10_000, () => fired.push('late'));
    queue.add(Date.now() + 20, () => fired.push('early'));
    await sleep(80);
    expect(fired).toEqual(['early']);
  });

  it('fires a deadline already past on the next turn', async () => {
    queue = createExpiryQueue();
    let fired = false;
    queue.add(Date.now() - 1000, () => (fired = true));
    await sleep(5);
    expect(fired).toBe(true);
  });

  it('drops cancelled entries when they are most of the heap, so connection churn stays bounded', () => {
    queue = createExpiryQueue();
    const far = Date.now() + 3_600_000;
    for (let i = 0; i < 10_000; i += 1) queue.add(far + i, () => undefined)();
    expect(queue.size()).toBeLessThan(2100);
  });

  // The reason for one heap instead of one timer per stream: adding and cancelling 100k streams is cheap.
  it('adds and cancels 100,000 deadlines in well under a second', () => {
    queue = createExpiryQueue();
    const started = performance.now();
    const base = Date.now() + 3_600_000;
    const cancels = Array.from({ length: 100_000 }, (_, i) => queue.add(base + ((i * 7919) % 100_000), () => undefined));
    for (const cancel of cancels) cancel();
    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(1000);
  });
});
