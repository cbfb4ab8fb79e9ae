import { createBroker } from '@ssehub/broker';
import { describeBrokerConformance, describePartitionConformance } from '@ssehub/broker/testing';
import { startNats, type NatsServer } from '@ssehub/testkit';
import { afterAll, beforeAll } from 'vitest';

let nats: NatsServer;
beforeAll(async () => {
  nats = await startNats();
});
afterAll(() => nats?.stop());

describeBrokerConformance({ name: 'nats', create: (options) => createBroker(nats.url, options) });
// The same contract over four partitions (four streams on the one server), and the partition cases.
describeBrokerConformance({ name: 'nats, 4 partitions', create: (options) => createBroker(`${nats.url}?partitions=4`, options) });
describePartitionConformance({
  name: 'nats',
  create: ({ partitions, ...options }) => createBroker(`${nats.url}?partitions=${partitions}`, options),
});
