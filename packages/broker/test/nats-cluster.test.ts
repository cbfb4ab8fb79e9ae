import { createBroker } from '@ssehub/broker';
import { describeBrokerConformance } from '@ssehub/broker/testing';
import { startNatsCluster, type NatsCluster } from '@ssehub/testkit';
import { afterAll, beforeAll } from 'vitest';

// The whole contract on a 3-node JetStream cluster, the stream replicated on every node (R3).
let cluster: NatsCluster;
beforeAll(async () => {
  cluster = await startNatsCluster({ nodes: 3 });
}, 90_000);
afterAll(() => cluster?.stop());

describeBrokerConformance({ name: 'nats cluster R3', create: (options) => createBroker(`${cluster.url}?replicas=3`, options) });
