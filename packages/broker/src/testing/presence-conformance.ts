import { afterEach, describe, expect, it } from 'vitest';
import type { Broker, LiveSignal, RetentionOptions } from '../broker.js';
import { createPresenceTracker, type PresenceTracker } from '../presence-tracker.js';
import { SENTINEL_TYPE } from './collect.js';
import { uniquePrefix } from './unique-prefix.js';

/** Presence across nodes (two trackers with their own node ids on one broker), proven per backend. */
export function describePresenceConformance(
  name: string,
  create: (options: RetentionOptions & { prefix: string }) => Promise<Broker>,
): void {
  describe(`${name} broker presence`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });

    // Joins and leaves are live-only signals: they reach subscribers but never the log.
    async function setup(): Promise<{ broker: Broker; topic: string; events: LiveSignal[] }> {
      const broker = await create({ prefix: uniquePrefix('pres') });
      cleanups.push(() => broker.close());
      const topic = 'rooms/presence';
      const events: LiveSignal[] = [];
      const subscription = await broker.subscribe(
        { topics: [topic] },
        {
          onEvent: (event) => events.push(event),
          onSignal: (signal) => events.push(signal),
        },
      );
      cleanups.push(async () => subscription.close());
      return { broker, topic, events };
    }
    function tracker(broker: Broker, nodeId: string, ttlS = 30, autoRefresh = true): PresenceTracker {
      const created = createPresenceTracker({ broker, nodeId, ttlS, autoRefresh });
      cleanups.push(() => created.close());
      return created;
    }
    const presenceEvents = (events: LiveSignal[]): string[] =>
      events
        .filter((event) => event.type !== SENTINEL_TYPE)
        .map((event) => `${'id' in event ? 'stored ' : ''}${event.type}:${(event.data as { user: string }).user}`);
    /** Publishes a sentinel event and waits for it: a signal sent before it has arrived by then, or never will. */
    async function settle(broker: Broker, topic: string, events: LiveSignal[]): Promise<void> {
      const [sentinel] = await broker.publish([{ topic, type: SENTINEL_TYPE, data: {} }]);
      await expect.poll(() => events.some((event) => 'id' in event && event.id === sentinel!.id)).toBe(true);
    }

    it('signals one join on the first connection across nodes and one leave on the last, storing neither', async () => {
      const { broker, topic, events } = await setup();
      const a = tracker(broker, 'node-a');
      const b = tracker(broker, 'node-b');
      await a.join(topic, 'ana');
      await a.join(topic, 'ana');
      await b.join(topic, 'ana');
      await a.leave(topic, 'ana');
      await a.leave(topic, 'ana');
      await settle(broker, topic, events);
      expect(presenceEvents(events)).toEqual(['presence.join:ana']);
      await b.leave(topic, 'ana');
      await expect.poll(() => presenceEvents(events)).toEqual(['presence.join:ana', 'presence.leave:ana']);
      expect(await a.list(topic)).toEqual([]);
      const stored = (await broker.history(topic, { limit: 10 })).events;
      expect(stored.filter((event) => event.type !== SENTINEL_TYPE)).toEqual([]);
    });

    it('lists who is present with their nodes, across nodes', async () => {
      const { broker, topic } = await setup();
      const a = tracker(broker, 'node-a');
      const b = tracker(broker, 'node-b');
      await a.join(topic, 'ana');
      await b.join(topic, 'ana');
      await b.join(topic, 'bo');
      await b.join('rooms/other', 'cy');
      const members = await a.list(topic);
      expect(members.map((m) => ({ user: m.user, nodes: [...m.nodes].sort() }))).toEqual([
        { user: 'ana', nodes: ['node-a', 'node-b'] },
        { user: 'bo', nodes: ['node-b'] },
      ]);
    });

    it('expires the claims of a node that stopped refreshing, signalling its leaves', async () => {
      const { broker, topic, events } = await setup();
      const dead = createPresenceTracker({ broker, nodeId: 'node-dead', ttlS: 1, autoRefresh: false });
      const alive = tracker(broker, 'node-alive', 30);
      await dead.join(topic, 'ana');
      await alive.join(topic, 'bo');
      // The claim lapses on the clock (ttl 1 s), which a real server keeps: wait for it, not a fixed time.
      await expect.poll(async () => (await alive.list(topic)).map((m) => m.user), { timeout: 5000 }).toEqual(['bo']);
      await alive.tick();
      await expect.poll(() => presenceEvents(events)).toEqual(['presence.join:ana', 'presence.join:bo', 'presence.leave:ana']);
      await alive.tick();
      await settle(broker, topic, events);
      expect(presenceEvents(events)).toHaveLength(3);
    });

    it('withdraws a closing node’s claims', async () => {
      const { broker, topic, events } = await setup();
      const a = createPresenceTracker({ broker, nodeId: 'node-a' });
      await a.join(topic, 'ana');
      await a.close();
      await expect.poll(() => presenceEvents(events)).toEqual(['presence.join:ana', 'presence.leave:ana']);
    });

    it('keeps users with unusual names apart', async () => {
      const { broker, topic } = await setup();
      const a = tracker(broker, 'node-a');
      const names = ['ana', 'Ana', 'a.na', 'a*b', 'ä n a', 'x/y', '>', '💬'];
      for (const user of names) await a.join(topic, user);
      expect((await a.list(topic)).map((m) => m.user).sort()).toEqual([...names].sort());
    });
  });
}
