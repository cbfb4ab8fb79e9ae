// The public surface of @ssehub/broker/nats (peer dependencies `@nats-io/transport-node`, `@nats-io/jetstream`),
// checked by test/faces.test.ts.
export { createNatsBroker, type NatsBrokerOptions } from '../nats.js';
