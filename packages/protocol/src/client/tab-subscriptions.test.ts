import { describe, expect, it } from 'vitest';
import type { ReadyPayload } from '../api.js';
import type { EventEnvelope } from '../event.js';
import type { StreamHandlers } from './hub-messages.js';
import { TabSubscriptions } from './tab-subscriptions.js';

const id = (seq: number): string => `e1-${seq}`;
const event = (seq: number, topic = 'rooms/a'): EventEnvelope => ({ id: id(seq), topic, type: 'x.y', data: { seq }, ts: 0 });
const ready = (seq: number, topics = ['rooms/a', 'rooms/b']): ReadyPayload => ({ node: 'n1', topics, resumed: true, cursor: id(seq) });

function recorder() {
  const log: string[] = [];
  const handlers: StreamHandlers = {
    onEvent: (e) => log.push(`event ${e.id}`),
    onReady: (p) => log.push(`ready ${p.cursor}`),
    onReset: (p) => log.push(`reset ${p.reason} ${p.lastEventId}`),
    onStateChange: (s) => log.push(`state ${s}`),
  };
  return { log, handlers };
}

describe('a tab\'s subscriptions on a shared stream', () => {
  it('delivers a stream restarted from an older position without duplicates', () => {
    const tab = new TabSubscriptions();
    const { log, handlers } = recorder();
    const sub = tab.add('t:1', ['rooms/a'], undefined, handlers);
    tab.receive({ kind: 'stream', gen: 'g1', topics: ['rooms/a'], from: undefined });
    tab.receive({ kind: 'ready', gen: 'g1', payload: ready(4, ['rooms/a']), planned: false });
    for (const seq of [5, 6]) tab.receive({ kind: 'event', gen: 'g1', event: event(seq) });
    // Another tab needed the stream from 4: the restart replays 5 and 6.
    tab.receive({ kind: 'stream', gen: 'g2', topics: ['rooms/a', 'rooms/b'], from: id(4) });
    for (const seq of [5, 6, 7]) tab.receive({ kind: 'event', gen: 'g2', event: event(seq) });
    tab.receive({ kind: 'event', gen: 'g1', event: event(8) });
    expect(log).toEqual([`state live`, `ready ${id(4)}`, `event ${id(5)}`, `event ${id(6)}`, `event ${id(7)}`]);
    expect(sub.cursor).toBe(id(7));
  });

  it('moves the cursor past events of other topics without delivering them', () => {
    const tab = new TabSubscriptions();
    const { log, handlers } = recorder();
    const sub = tab.add('t:1', ['rooms/a'], id(1), handlers);
    tab.receive({ kind: 'stream', gen: 'g1', topics: ['rooms/a', 'rooms/b'], from: id(1) });
    tab.receive({ kind: 'event', gen: 'g1', event: event(2, 'rooms/b') });
    expect(log).toEqual([]);
    expect(sub.cursor).toBe(id(2));
  });

  it('delivers a live-only signal (no id) to the subscriptions of its topic without moving a cursor', () => {
    const tab = new TabSubscriptions();
    const { log, handlers } = recorder();
    const sub = tab.add('t:1', ['rooms/a'], id(1), handlers);
    tab.receive({ kind: 'stream', gen: 'g1', topics: ['rooms/a'], from: id(1) });
    tab.receive({ kind: 'event', gen: 'g1', event: { topic: 'rooms/a', type: 'presence.join', data: { user: 'ana' }, ts: 0 } });
    tab.receive({ kind: 'event', gen: 'g1', event: { topic: 'rooms/b', type: 'presence.join', data: { user: 'bo' }, ts: 0 } });
    expect(sub.cursor).toBe(id(1));
    tab.receive({ kind: 'event', gen: 'g1', event: event(2) });
    expect(log).toEqual(['event undefined', `event ${id(2)}`]);
    expect(sub.cursor).toBe(id(2));
  });

  it('waits for a stream from its own cursor instead of joining one that starts later', () => {
    const tab = new TabSubscriptions();
    const { log, handlers } = recorder();
    tab.add('t:1', ['rooms/a'], id(3), handlers);
    tab.receive({ kind: 'stream', gen: 'g1', topics: ['rooms/a'], from: id(9) });
    tab.receive({ kind: 'event', gen: 'g1', event: event(10) });
    tab.receive({ kind: 'stream', gen: 'g2', topics: ['rooms/a'], from: id(3) });
    tab.receive({ kind: 'event', gen: 'g2', event: event(4) });
    expect(log).toEqual([`event ${id(4)}`]);
  });

  it('stays quiet on a planned restart and tells of a real reconnect', () => {
    const tab = new TabSubscriptions();
    const { log, handlers } = recorder();
    tab.add('t:1', ['rooms/a'], undefined, handlers);
    tab.receive({ kind: 'stream', gen: 'g1', topics: ['rooms/a'], from: undefined });
    tab.receive({ kind: 'ready', gen: 'g1', payload: ready(1), planned: false });
    tab.receive({ kind: 'stream', gen: 'g2', topics: ['rooms/a', 'rooms/b'], from: id(1) });
    tab.receive({ kind: 'ready', gen: 'g2', payload: ready(1), planned: true });
    tab.receive({ kind: 'reconnecting', gen: 'g2' });
    tab.receive({ kind: 'ready', gen: 'g2', payload: ready(2), planned: false });
    expect(log).toEqual(['state live', `ready ${id(1)}`, 'state reconnecting', 'state live', `ready ${id(2)}`]);
  });

  it('passes a reset on and then takes events from the new position', () => {
    const tab = new TabSubscriptions();
    const { log, handlers } = recorder();
    const sub = tab.add('t:1', ['rooms/a'], id(5), handlers);
    tab.receive({ kind: 'stream', gen: 'g1', topics: ['rooms/a'], from: id(5) });
    tab.receive({ kind: 'reset', gen: 'g1', payload: { reason: 'retention', lastEventId: id(5), topics: ['rooms/a'] } });
    expect(sub.cursor).toBeUndefined();
    tab.receive({ kind: 'event', gen: 'g1', event: event(40) });
    expect(log).toEqual([`reset retention ${id(5)}`, `event ${id(40)}`]);
  });

  it('resets a subscription whose cursor belongs to another log', () => {
    const tab = new TabSubscriptions();
    const { log, handlers } = recorder();
    const sub = tab.add('t:1', ['rooms/a'], 'old-7', handlers);
    tab.receive({ kind: 'stream', gen: 'g1', topics: ['rooms/a'], from: id(2) });
    tab.receive({ kind: 'event', gen: 'g1', event: event(3) });
    expect(log).toEqual(['reset epoch old-7', `event ${id(3)}`]);
    expect(sub.gen).toBe('g1');
  });

  it('reports closing and forgets the subscription', () => {
    const tab = new TabSubscriptions();
    const { log, handlers } = recorder();
    tab.add('t:1', ['rooms/a'], undefined, handlers);
    expect(tab.wants()).toEqual([{ id: 't:1', topics: ['rooms/a'], cursor: undefined }]);
    tab.remove('t:1');
    expect(tab.size).toBe(0);
    expect(log).toEqual(['state closed']);
  });
});
