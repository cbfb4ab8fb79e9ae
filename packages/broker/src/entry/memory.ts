// The public surface of @ssehub/broker/memory, checked by test/faces.test.ts.
export { createMemoryBroker, type MemoryBrokerOptions } from '../memory.js';
