// The public surface of @ssehub/broker/testing: the conformance suites every backend passes, for authors of
// other backends (vitest is a peer dependency of this entry only). Checked by test/faces.test.ts.
export { describeBackendConformance, type BackendConformanceTarget } from './backend-conformance.js';
export { describeBrokerConformance, type BrokerConformanceTarget } from './conformance.js';
export { describePartitionConformance, type PartitionConformanceTarget } from './partition-conformance.js';
