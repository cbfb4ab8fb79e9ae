import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { LiveSignal } from './broker.js';
import type { StreamNames } from './nats-stream.js';

/**
 * Live-only signals travel on core NATS under `<prefix>~signal.`, outside the stream's `<prefix>.>`,
 * so JetStream never stores them. A prefix is `[A-Za-z0-9_-]`, so no other deployment's stream can
 * own this subject space.
 */
const SIGNAL_SUFFIX = '~signal';

/** The core subject of a topic's signals: `rooms/lobby` → `<prefix>~signal.rooms.lobby`. */
export function signalSubject(names: StreamNames, topic: string): string {
  return `${names.prefix}${SIGNAL_SUFFIX}.${topic.replaceAll('/', '.')}`;
}

/** Publishes a signal with core NATS: at most once, to the nodes connected now. */
export function sendSignal(nc: NatsConnection, names: StreamNames, signal: LiveSignal): void {
  nc.publish(signalSubject(names, signal.topic), JSON.stringify(signal));
}

/** The process's one core subscription to every signal of the deployment. */
export function subscribeSignals(nc: NatsConnection, names: StreamNames, onSignal: (signal: LiveSignal) => void): Subscription {
  return nc.subscribe(`${names.prefix}${SIGNAL_SUFFIX}.>`, {
    callback: (error, message) => {
      if (error) return;
      try {
        onSignal(message.json<LiveSignal>());
      } catch {
        // A foreign message under our subject space (or a throwing listener) must not end the subscription.
      }
    },
  });
}
