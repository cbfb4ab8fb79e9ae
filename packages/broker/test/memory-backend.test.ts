import { describeBackendConformance } from '@ssehub/broker/testing';
// The one in-tree backend whose factory can stand alone: Redis and NATS build theirs over shared connections.
import { createMemoryBackend } from '../src/memory.js';

describeBackendConformance({
  name: 'memory',
  create: async (hooks, options) => createMemoryBackend(options, hooks),
});
