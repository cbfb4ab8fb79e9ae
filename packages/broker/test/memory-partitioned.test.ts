import { createBroker } from '@ssehub/broker';
import { describeBrokerConformance } from '@ssehub/broker/testing';

// The same delivery contract over four partitions: every test's topics spread over several logs.
describeBrokerConformance({ name: 'memory, 4 partitions', create: (options) => createBroker('memory://?partitions=4', options) });
