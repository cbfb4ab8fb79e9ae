import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { LiveSignal } from './broker.js';
import { connectNats, type NatsLink } from './nats-connection.js';
import { subscribeSignals } from './nats-signal.js';
import type { StreamNames } from './nats-stream.js';

/** Longest a JetStream request (publish, read, stream info) may take before it fails, in ms. @default 5000 */
export const NATS_REQUEST_TIMEOUT_MS = 5000;

/**
 * What every log (partition) of one process shares: one connection and its JetStream clients, and one
 * core subscription to the deployment's signals, handed to each log that registered.
 */
export interface NatsShared {
  readonly link: NatsLink;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  /** The deployment's names: signals and presence live under them, never under a partition's. */
  readonly deployment: StreamNames;
  /** Adds a log's handlers; the returned function removes them, and the last log's removal closes the connection. */
  join(log: SharedLogHandlers): () => Promise<void>;
}

/** What a log wants to hear from the shared connection. */
export interface SharedLogHandlers {
  /** Every signal of the deployment; the log keeps those of topics it listens to. */
  signal(signal: LiveSignal): void;
  /** Connected again after an outage. */
  reconnected(): void;
}

/** Connects once for all the logs of a process; `onRetry` hears each failed connection attempt. */
export async function openNatsShared(url: string, deployment: StreamNames, onRetry?: (message: string) => void): Promise<NatsShared> {
  const logs = new Set<SharedLogHandlers>();
  const link = await connectNats(url, { onRetry, onReconnect: () => logs.forEach((log) => log.reconnected()) });
  try {
    const js = jetstream(link.nc, { timeout: NATS_REQUEST_TIMEOUT_MS });
    const jsm = await jetstreamManager(link.nc, { timeout: NATS_REQUEST_TIMEOUT_MS });
    const signals = subscribeSignals(link.nc, deployment, (signal) => logs.forEach((log) => log.signal(signal)));
    let closing: Promise<void> | undefined;
    const close = async (): Promise<void> => {
      signals.unsubscribe();
      // Draining needs the server; while reconnecting there is nothing to flush.
      await (link.isConnected() ? link.nc.drain() : link.nc.close()).catch(() => link.nc.close());
    };
    return {
      link,
      js,
      jsm,
      deployment,
      join(log) {
        logs.add(log);
        return async () => {
          logs.delete(log);
          if (logs.size === 0) await (closing ??= close());
        };
      },
    };
  } catch (error) {
    await link.nc.close();
    throw error;
  }
}
