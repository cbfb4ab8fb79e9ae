import { afterEach, describe, expect, it, vi } from 'vitest';
import type { StoredEvent } from '../src/broker.js';
import { createBroker, parseBrokerUrl } from '../src/create-broker.js';
import { createMemoryBroker, MEMORY_SWEEP_INTERVAL_MS } from '../src/memory.js';
import { RingStore, eventBytes } from '../src/ring-store.js';
import { collect, expectSequence } from '../src/testing/collect.js';
import { publishNumbered, range } from '../src/testing/numbered.js';

// Fixed-width ids, data and topic names, so every event counts the same bytes.
const pad = (n: number): string => String(n).padStart(4, '0');
const event = (seq: number, topic: string, ts: number): StoredEvent => ({ id: `e${pad(seq)}`, seq, topic, type: 'test.n', data: { n: pad(seq) }, ts });

describe('memory broker retention across topics', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('drops a ring once its events expired, on append, without the topic being read', () => {
    const store = new RingStore({ maxCount: 100, maxAgeMs: 1000, maxBytes: Number.MAX_SAFE_INTEGER });
    for (const seq of range(1, 1001)) store.push(event(seq, `t/${seq}`, 0));
    expect(store.stats().topics).toBe(1000);
    store.push(event(1001, 'other', 1001));
    expect(store.stats()).toEqual({ topics: 1, events: 1, bytes: eventBytes(event(1001, 'other', 1001)) });
    // A dropped topic still knows what retention took from it.
    expect(store.trimmedThrough('t/7')).toBe(7);
    expect(store.trimmedThrough('other')).toBe(0);
  });

  it('evicts the oldest events across topics past the total bound', () => {
    const size = eventBytes(event(1, 't/00', 0));
    const store = new RingStore({ maxCount: 100, maxAgeMs: 60_000, maxBytes: size * 10 });
    for (const seq of range(1, 101)) store.push(event(seq, `t/${pad(seq % 20).slice(2)}`, 0));
    const { bytes, events, topics } = store.stats();
    expect(bytes).toBeLessThanOrEqual(size * 10);
    expect(events).toBe(10);
    expect(topics).toBe(10);
    // The survivors are the ten newest, whatever their topic.
    const kept = range(0, 20).flatMap((n) => store.get(`t/${pad(n).slice(2)}`, 0)?.after(0, 100) ?? []);
    expect(kept.map((e) => e.seq).sort((x, y) => x - y)).toEqual(range(91, 101));
    expect(store.trimmedThrough('t/01')).toBe(81);
  });

  it('tells a resume from before an evicted event "retention", never a silent gap', async () => {
    const size = eventBytes({ id: 'x'.repeat(12), seq: 1, topic: 'rooms/a', type: 'test.n', data: { n: 100 }, ts: 0 });
    const b = createMemoryBroker({ maxBytes: size * 5 });
    const old = await publishNumbered(b, 'rooms/a', 0, 3);
    await publishNumbered(b, 'rooms/b', 0, 5);
    expect((await b.history('rooms/a', { limit: 10 })).events).toEqual([]);
    const sub = await collect(b, ['rooms/a'], old[0]!.id);
    expect(sub.resets).toEqual(['retention']);
    const fine = await collect(b, ['rooms/b'], (await b.history('rooms/b', { limit: 1 })).events[0]!.id);
    expect(fine.subscription.resumed).toBe(true);
    await publishNumbered(b, 'rooms/a', 3, 4);
    await sub.waitFor(1);
    expectSequence(sub.events, [3]);
    await b.close();
  });

  it('sweeps expired topics on a timer while nothing is published or read', async () => {
    vi.useFakeTimers();
    const b = createMemoryBroker({ historyMaxAgeS: 1 });
    const old = await publishNumbered(b, 'rooms/a', 0, 2);
    vi.advanceTimersByTime(1000 + MEMORY_SWEEP_INTERVAL_MS);
    // The ring is gone; a later publish starts a new one that still remembers what was dropped.
    await publishNumbered(b, 'rooms/a', 2, 3);
    const sub = await collect(b, ['rooms/a'], old[0]!.id);
    expect(sub.resets).toEqual(['retention']);
    expectSequence((await b.history('rooms/a', { limit: 10 })).events, [2]);
    await b.close();
  });

  it('reads its bound from memory://?maxBytes= and refuses a bad one', async () => {
    expect(parseBrokerUrl('memory://?maxBytes=1048576')).toEqual({ href: 'memory://?maxBytes=1048576', kind: 'memory', partitions: 1, maxBytes: 1048576 });
    expect(() => parseBrokerUrl('memory://?maxBytes=lots')).toThrow(/maxBytes=lots in memory:\/\/ must be a whole number/);
    expect(() => parseBrokerUrl('memory://?maxBytes=0')).toThrow(/at least 1/);
    const b = await createBroker('memory://?maxBytes=1');
    await publishNumbered(b, 'rooms/a', 0, 2);
    expect((await b.history('rooms/a', { limit: 10 })).events).toEqual([]);
    await b.close();
  });
});
