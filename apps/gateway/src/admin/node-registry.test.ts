import { createMemoryBroker, createPresenceTracker, type LiveSignal, type StoredEvent } from '@ssehub/broker';
import { NODES_TOPIC } from '@ssehub/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { createNodeRegistry, type NodeRegistry } from './node-registry.js';

const idle = { connections: 0, topics: new Map<string, number>(), brokerLagSeconds: null };
const registries: NodeRegistry[] = [];
afterEach(async () => {
  for (const registry of registries.splice(0)) await registry.close();
});

/** A report record as a node that died left it: its only report lapsed a minute ago. */
function lapsedRecord(now: number) {
  const report = { connections: 1, topics: [], topicCount: 0, brokerLagSeconds: null, startedAt: now - 120_000, updatedAt: now - 90_000, expiresAt: now - 60_000 };
  return { processes: { 'gw-dead#00000000': report }, nodes: {} };
}

describe('the node registry', () => {
  it('deletes the record of a node whose reports all lapsed, and lists only live nodes', async () => {
    const broker = createMemoryBroker();
    await broker.presence.put(NODES_TOPIC, 'gw-dead', lapsedRecord(Date.now()), null);
    const registry = createNodeRegistry({ broker, nodeId: 'gw-live', ttlS: 30, snapshot: () => idle, onError: (error) => { throw error; } });
    registries.push(registry);
    await registry.report();
    expect(await broker.presence.users(NODES_TOPIC)).toEqual(['gw-live']);
    expect((await registry.list()).map((node) => node.node)).toEqual(['gw-live']);
    await broker.close();
  });

  it('leaves a record of an earlier version (presence claims) to its writer, and does not list it', async () => {
    const broker = createMemoryBroker();
    const earlier = { nodes: { 'gw-old#00000000': { connections: 1, expires: Date.now() + 60_000 } } };
    await broker.presence.put(NODES_TOPIC, 'gw-old', earlier, null);
    const registry = createNodeRegistry({ broker, nodeId: 'gw-new', ttlS: 30, snapshot: () => idle, onError: (error) => { throw error; } });
    registries.push(registry);
    await registry.report();
    expect((await broker.presence.get(NODES_TOPIC, 'gw-old')).record).toEqual(earlier);
    expect((await registry.list()).map((node) => node.node)).toEqual(['gw-new']);
    await broker.close();
  });

  it('is left alone by the presence sweep, which signals nothing into the nodes topic', async () => {
    const broker = createMemoryBroker();
    await broker.presence.put(NODES_TOPIC, 'gw-dead', lapsedRecord(Date.now()), null);
    const seen: string[] = [];
    const subscription = await broker.subscribe(
      { topics: [NODES_TOPIC] },
      { onEvent: (event: StoredEvent) => seen.push(event.type), onSignal: (signal: LiveSignal) => seen.push(signal.type) },
    );
    const tracker = createPresenceTracker({ broker, nodeId: 'gw-live', autoRefresh: false });
    await tracker.tick();
    // Signals reach a subscriber in order: once the sentinel is there, a leave sent by the sweep would be too.
    await broker.signal({ topic: NODES_TOPIC, type: 'sentinel', data: null });
    await expect.poll(() => seen).toContain('sentinel');
    expect(seen).toEqual(['sentinel']);
    expect(await broker.presence.users(NODES_TOPIC)).toEqual(['gw-dead']);
    subscription.close();
    await tracker.close();
    await broker.close();
  });
});
