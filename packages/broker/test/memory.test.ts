import { createBroker } from '@ssehub/broker';
import { describeBrokerConformance } from '@ssehub/broker/testing';

describeBrokerConformance({
  name: 'memory',
  create: (options) => createBroker('memory://', options),
});
