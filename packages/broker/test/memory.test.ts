import { createBroker } from '../src/create-broker.js';
import { describeBrokerConformance } from './conformance.js';

describeBrokerConformance({
  name: 'memory',
  create: (options) => createBroker('memory://', options),
});
