import { describe, expect, it } from 'vitest';
import type { LiveSignal, StoredEvent } from '../src/broker.js';
import { LocalSubscriber } from '../src/local-subscriber.js';

const signal = (user: string): LiveSignal => ({ topic: 'rooms/a', type: 'presence.join', data: { user }, ts: 0 });
const stored = (seq: number): StoredEvent => ({ id: `e-${seq}`, seq, topic: 'rooms/a', type: 'test.n', data: { n: seq }, ts: 0 });

describe('a live-only signal at the history/live seam', () => {
  it('is dropped during catch-up, delivered once live, and never moves the position', () => {
    const received: string[] = [];
    const subscriber = new LocalSubscriber(
      ['rooms/a'],
      { onEvent: (event) => received.push(`event ${event.seq}`), onSignal: (s) => received.push(`signal ${(s.data as { user: string }).user}`) },
      () => {},
      1,
    );
    subscriber.signal(signal('during-catch-up'));
    subscriber.deliver(stored(2));
    subscriber.goLive();
    subscriber.signal(signal('live'));
    subscriber.signal(signal('live'));
    subscriber.deliver(stored(3));
    expect(received).toEqual(['event 2', 'signal live', 'signal live', 'event 3']);
    expect(subscriber.lastSeq).toBe(3);
    subscriber.close();
    subscriber.signal(signal('after-close'));
    expect(received).toHaveLength(4);
  });
});
