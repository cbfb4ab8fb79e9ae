import type { Broker } from './broker.js';
import { BrokerError } from './errors.js';

/**
 * A broker usable before its backend is reachable: until `connecting` resolves every operation fails
 * fast with `unavailable` (so /readyz says not ready and ingest answers 503), then it is the real one.
 * Lets an app start and serve health endpoints while the broker is still down.
 */
export function deferBroker(kind: string, connecting: Promise<Broker>): Broker {
  let broker: Broker | undefined;
  let closed = false;
  connecting.then(
    (connected) => {
      if (closed) void connected.close();
      else broker = connected;
    },
    () => {
      // A backend that gives up is reported by its own retries; the app stays not-ready.
    },
  );
  const current = (): Broker => {
    if (broker) return broker;
    throw new BrokerError(closed ? 'closed' : 'unavailable', `the ${kind} broker is not connected yet`);
  };
  return {
    kind,
    presence: {
      get: async (topic, user) => current().presence.get(topic, user),
      put: async (topic, user, record, revision) => current().presence.put(topic, user, record, revision),
      users: async (topic) => current().presence.users(topic),
      entries: async () => current().presence.entries(),
    },
    publish: async (events, options) => current().publish(events, options),
    signal: async (signal) => current().signal(signal),
    subscribe: async (options, listener) => current().subscribe(options, listener),
    history: async (topic, options) => current().history(topic, options),
    stats: () => broker?.stats() ?? { topics: 0, subscriptions: 0 },
    ping: async () => current().ping(),
    async close() {
      closed = true;
      await broker?.close();
    },
  };
}
