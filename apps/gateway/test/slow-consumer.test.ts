import { createMemoryBroker } from '@ssehub/broker';
import { openSse, ready } from '@ssehub/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { numbers, startGateway, type GatewayHarness } from './gateway-harness.js';

describe('a consumer that stops reading', () => {
  let gateway: GatewayHarness;
  afterEach(() => gateway.close());

  it('is cut off while a fast consumer on the same topic keeps receiving, then resumes', async () => {
    gateway = await startGateway({ MAX_BUFFER_BYTES: 64 * 1024 }, createMemoryBroker({ historyMaxPerTopic: 10_000 }));
    const fast = await openSse(`${gateway.url}/v1/events?topic=rooms/hot`);
    const slow = await openSse(`${gateway.url}/v1/events?topic=rooms/hot`);
    await fast.waitFor(ready, 'fast ready');
    await slow.waitFor(ready, 'slow ready');
    const padding = 'x'.repeat(4000);
    const total = 3000;
    for (let n = 0; n < 10; n++) await gateway.publish('rooms/hot', n, { padding });
    await slow.waitFor((c) => c.events().length === 10, 'the first 10 events on the slow consumer');
    slow.pause();
    for (let n = 10; n < total; n++) {
      await gateway.publish('rooms/hot', n, { padding });
      // The test client shares this event loop: yield so the fast consumer gets to read, as a real one would.
      if (n % 5 === 0) await new Promise((resolve) => setTimeout(resolve, 0));
    }
    await fast.waitFor((c) => c.events().length === total, `${total} events on the fast consumer`, 30_000);
    expect(numbers(fast.events())).toEqual(Array.from({ length: total }, (_, i) => i));
    // A stalled reader does not see its socket close (it reads nothing), so watch the node's side.
    const metrics = await gateway.registry.getSingleMetricAsString('ssehub_gateway_slow_consumer_disconnects_total');
    expect(metrics).toMatch(/ssehub_gateway_slow_consumer_disconnects_total 1$/m);
    expect(gateway.app.connectionCount()).toBe(1);
    slow.close();

    // The slow one got a prefix before it stalled; resuming from its last id yields exactly the rest.
    const received = slow.events();
    const lastId = received.at(-1)?.id;
    expect(received.length).toBeLessThan(total);
    const resumed = await openSse(`${gateway.url}/v1/events?topic=rooms/hot`, { 'last-event-id': lastId! });
    const expected = total - received.length;
    await resumed.waitFor((c) => c.events().length === expected, `${expected} missed events`, 30_000);
    expect([...numbers(received), ...numbers(resumed.events())]).toEqual(Array.from({ length: total }, (_, i) => i));
    fast.close();
    resumed.close();
  });
});
