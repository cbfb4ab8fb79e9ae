import { startNats, type NatsServer } from '@ssehub/testkit';
import { afterAll, beforeAll } from 'vitest';
import { createBroker } from '../src/create-broker.js';
import { describeBrokerConformance } from './conformance.js';

let nats: NatsServer;
beforeAll(async () => {
  nats = await startNats();
});
afterAll(() => nats?.stop());

describeBrokerConformance({ name: 'nats', create: (options) => createBroker(nats.url, options) });
