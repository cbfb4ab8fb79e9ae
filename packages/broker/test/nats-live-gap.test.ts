import { startNats, type NatsServer } from '@ssehub/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker, StoredEvent } from '../src/broker.js';
import { createBroker } from '../src/create-broker.js';

// Regression: after a NATS restart the live consumer can come back seconds late; when retention
// removed events meanwhile, subscribers must be ended (so they resume and get ssehub.reset), never
// handed the events after the hole as if nothing was missing.
describe('nats live feed after a restart under retention pressure', () => {
  let server: NatsServer;
  const brokers: Broker[] = [];
  beforeAll(async () => {
    server = await startNats();
  });
  afterAll(async () => {
    await Promise.all(brokers.map((broker) => broker.close()));
    await server.stop();
  });

  it('never delivers past a hole left by retention: each subscriber sees every event or is ended', async () => {
    const options = { prefix: `gap${process.pid}`, historyMaxPerTopic: 20 };
    const subscriberSide = await createBroker(server.url, options);
    const publisherSide = await createBroker(server.url, options);
    brokers.push(subscriberSide, publisherSide);
    const received: StoredEvent[] = [];
    const errors: Error[] = [];
    await subscriberSide.subscribe(
      { topics: ['rooms/gap'] },
      { onEvent: (event) => received.push(event), onError: (error) => errors.push(error) },
    );
    const publish = async (n: number): Promise<void> => {
      for (;;) {
        try {
          await publisherSide.publish([{ topic: 'rooms/gap', type: 'test.n', data: { n } }]);
          return;
        } catch {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
    };
    for (let n = 0; n < 5; n++) await publish(n);
    await expect.poll(() => received.length).toBe(5);

    await server.kill();
    await server.restart();
    const total = 400;
    for (let n = 5; n < total; n++) await publish(n);
    await expect.poll(() => errors.length > 0 || received.length === total, { timeout: 40_000 }).toBe(true);

    const numbers = received.map((event) => (event.data as { n: number }).n);
    // Whatever arrived is a gap-free prefix of what was published.
    expect(numbers).toEqual(numbers.map((_, i) => i));
    if (errors.length === 0) expect(numbers).toHaveLength(total);
  }, 90_000);
});
