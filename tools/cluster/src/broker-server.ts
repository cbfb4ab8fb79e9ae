import { mkdirSync } from 'node:fs';
import { startNats, startRedis } from '@ssehub/testkit';

/** The broker kinds a cluster can run. */
export const BROKER_KINDS = ['redis', 'nats'] as const;

/** `redis` or `nats`. */
export type BrokerKind = (typeof BROKER_KINDS)[number];

/** The cluster's private broker server. */
export interface ClusterBroker {
  readonly kind: BrokerKind;
  /** The `BROKER_URL` every app of the cluster uses. */
  readonly url: string;
  /** Where it keeps its data (AOF or JetStream store); it survives kill and restart. */
  readonly dir: string;
  /** kill -9: the data on disk stays. */
  kill(): Promise<void>;
  /** Stops it if it still runs and starts it again on the same port and data. */
  restart(): Promise<void>;
  stop(): Promise<void>;
  /** What it printed, for error messages. */
  output(): string;
}

/**
 * Starts redis-server with AOF fsynced on every write (an acknowledged publish survives kill -9) or
 * nats-server with JetStream file storage, keeping its data in `dir`.
 */
export async function startClusterBroker(kind: BrokerKind, dir: string): Promise<ClusterBroker> {
  mkdirSync(dir, { recursive: true });
  const server =
    kind === 'redis' ? await startRedis({ appendonly: true, appendfsync: 'always', dir }) : await startNats({ dir });
  return {
    kind,
    url: server.url,
    dir,
    kill: () => server.kill(),
    restart: () => server.restart(),
    stop: () => server.stop(),
    output: () => server.output(),
  };
}
