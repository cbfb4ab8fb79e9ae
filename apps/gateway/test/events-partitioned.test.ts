import { createBroker } from '@ssehub/broker';
import { MAX_CURSOR_LENGTH, decodePartitionCursor, encodePartitionCursor, partitionOf } from '@ssehub/protocol';
import { ready } from '@ssehub/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { numbers, startGateway, type GatewayHarness } from './gateway-harness.js';
import { useStreams } from './streams.js';

/** Two topics in different partitions of four. */
const A = 'rooms/a';
const C = 'rooms/c';

describe('GET /v1/events over a partitioned log', () => {
  let gateway: GatewayHarness;
  afterEach(async () => {
    await gateway.close();
  });
  const open = useStreams(() => gateway.url);

  it('gives every event the one token a plain EventSource echoes, and resumes every partition from it', async () => {
    expect(partitionOf(A, 4)).not.toBe(partitionOf(C, 4));
    gateway = await startGateway({}, await createBroker('memory://?partitions=4'));
    const client = await open(`topic=${A}&topic=${C}`);
    await client.waitFor(ready, 'ready');
    await gateway.publish(A, 0);
    await gateway.publish(C, 1);
    await client.waitFor((c) => c.events().length === 2, 'two events');
    const last = client.messages.filter((m) => m.hasId).at(-1)!;
    // The SSE id and the envelope's id are the same token, naming both partitions.
    expect(JSON.parse(last.data).id).toBe(last.lastEventId);
    expect(decodePartitionCursor(last.lastEventId)?.positions.size).toBe(2);
    client.close();
    await gateway.publish(A, 2);
    await gateway.publish(C, 3);
    const resumed = await open(`topic=${A}&topic=${C}`, { 'last-event-id': last.lastEventId });
    await resumed.waitFor((c) => c.events().length === 2, 'the two missed events');
    expect(numbers(resumed.events()).sort()).toEqual([2, 3]);
    const readyPayload = JSON.parse(resumed.messages.find((m) => m.event === 'ssehub.ready')!.data);
    expect(readyPayload).toMatchObject({ resumed: true, resumedTopics: [A, C] });
  });

  it('names the topics that resumed, and starts a topic of a partition the id does not cover live', async () => {
    gateway = await startGateway({}, await createBroker('memory://?partitions=4'));
    const id = await gateway.publish(A, 0);
    await gateway.publish(C, 1);
    const client = await open(`topic=${A}&topic=${C}`, { 'last-event-id': id });
    await client.waitFor(ready, 'ready');
    const readyPayload = JSON.parse(client.messages.find((m) => m.event === 'ssehub.ready')!.data);
    expect(readyPayload).toMatchObject({ resumed: false, resumedTopics: [A] });
    expect(client.messages.some((m) => m.event === 'ssehub.reset')).toBe(false);
    await gateway.publish(C, 2);
    await client.waitFor((c) => c.events().length === 1, "C's live event");
    expect(numbers(client.events())).toEqual([2]);
  });

  it('takes an id longer than 256 characters (positions drifted apart) on a 200 stream, never a 400', async () => {
    gateway = await startGateway({}, await createBroker('memory://?partitions=64'));
    const positions = new Map(Array.from({ length: 32 }, (_, n) => [n * 2, n === 0 ? 2 ** 52 : n]));
    const long = encodePartitionCursor({ partitions: 64, positions });
    expect(long.length).toBeGreaterThan(MAX_CURSOR_LENGTH);
    const client = await open(`topic=${A}`, { 'last-event-id': long });
    expect(client.status).toBe(200);
    await client.waitFor(ready, 'ready');
  });

  it('answers a single-log id with ssehub.reset for every topic, on a 200 stream', async () => {
    gateway = await startGateway({}, await createBroker('memory://?partitions=4'));
    const client = await open(`topic=${A}&topic=${C}`, { 'last-event-id': 'lx2k9a-42' });
    expect(client.status).toBe(200);
    await client.waitFor(ready, 'ready');
    const resets = client.messages.filter((m) => m.event === 'ssehub.reset').map((m) => JSON.parse(m.data) as { topics: string[] });
    // One reset per partition, each naming its own topics.
    expect(resets.sort((x, y) => x.topics[0]!.localeCompare(y.topics[0]!))).toEqual([
      { reason: 'epoch', lastEventId: 'lx2k9a-42', topics: [A] },
      { reason: 'epoch', lastEventId: 'lx2k9a-42', topics: [C] },
    ]);
  });
});
