import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { WriteScheduler, type Flushable } from './write-scheduler.js';

function stream(): Flushable & { writes: number[] } {
  const writes: number[] = [];
  return {
    queued: false,
    lastWriteAt: -Infinity,
    writes,
    flush: () => void writes.push(performance.now()),
  };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('WriteScheduler', () => {
  it('flushes a connection once per tick however often it was scheduled', async () => {
    const scheduler = new WriteScheduler(0);
    const target = stream();
    for (let i = 0; i < 5; i++) scheduler.schedule(target);
    await tick();
    expect(target.writes).toHaveLength(1);
    scheduler.schedule(target);
    await tick();
    expect(target.writes).toHaveLength(2);
  });

  it('makes a busy stream wait out the window, so its frequent events share one write', async () => {
    const scheduler = new WriteScheduler(40);
    const target = stream();
    scheduler.schedule(target);
    await tick();
    expect(target.writes).toHaveLength(1);
    for (let i = 0; i < 4; i++) {
      await sleep(5);
      scheduler.schedule(target);
    }
    await tick();
    expect(target.writes).toHaveLength(1);
    await sleep(40);
    expect(target.writes).toHaveLength(2);
    // Never sooner than the window (less the millisecond timers may fire early).
    expect(target.writes[1]! - target.writes[0]!).toBeGreaterThanOrEqual(39);
  });

  it('writes at once for a stream that was quiet for longer than the window', async () => {
    const scheduler = new WriteScheduler(20);
    const target = stream();
    scheduler.schedule(target);
    await tick();
    await sleep(30);
    const scheduledAt = performance.now();
    scheduler.schedule(target);
    await tick();
    expect(target.writes).toHaveLength(2);
    expect(target.writes[1]! - scheduledAt).toBeLessThan(5);
  });
});
