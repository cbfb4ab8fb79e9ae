import { createBroker } from '@ssehub/broker';
import { describeBrokerConformance } from '@ssehub/broker/testing';
import { startNats, type NatsServer } from '@ssehub/testkit';
import { afterAll, beforeAll } from 'vitest';

let nats: NatsServer;
beforeAll(async () => {
  nats = await startNats();
});
afterAll(() => nats?.stop());

describeBrokerConformance({ name: 'nats', create: (options) => createBroker(nats.url, options) });
