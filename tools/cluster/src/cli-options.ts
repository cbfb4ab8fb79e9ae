import { parseArgs } from 'node:util';
import { BROKER_KINDS, type BrokerKind } from './broker-server.js';

/** Most partitions `--partitions` takes (a resume token names its partitions in a 64-bit mask). @default 64 */
export const MAX_PARTITIONS = 64;

/** The load balancer's port when `PORT` is not set. @default 8080 */
export const DEFAULT_PORT = 8080;

/** What `pnpm cluster` was asked to start. */
export interface CliOptions {
  readonly broker: BrokerKind;
  readonly gateways: number;
  /** `?partitions=N` on the BROKER_URL the apps get; 1 is the single log. */
  readonly partitions: number;
  readonly port: number;
  readonly name: string;
  readonly help: boolean;
}

/** The `--help` text. */
export const USAGE = `Usage: pnpm cluster [--broker redis|nats|nats-cluster|redis-cluster] [--gateways N] [--partitions N] [--name NAME]

Starts the ssehub cluster on loopback: a private redis-server (AOF), nats-server, 3-node NATS cluster (JetStream)
or Redis Cluster, N gateways, ingest, web and nginx in front, all on free ports except nginx's. Ctrl-C stops everything.

  --broker KIND         redis, nats, nats-cluster (3 nodes, 3 replicas) or redis-cluster (3 masters + 3 replicas);
                        env BROKER; default redis
  --gateways N          gateway processes (default 2)
  --partitions N        spread topics over N ordered logs, 1-${MAX_PARTITIONS} (?partitions=N on BROKER_URL; default 1)
  --name NAME           keeps config, logs and broker data in .cluster/NAME/ (default "local")
  PORT                  nginx's port (default ${DEFAULT_PORT})`;

function integer(value: string, what: string, min: number, max: number): number {
  const parsed = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(parsed >= min && parsed <= max)) throw new Error(`${what}: expected an integer from ${min} to ${max} (got "${value}")`);
  return parsed;
}

/** Reads argv and the environment; throws one line naming the bad option. */
export function parseCliOptions(argv: readonly string[], env: Record<string, string | undefined>): CliOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      broker: { type: 'string' },
      gateways: { type: 'string' },
      partitions: { type: 'string' },
      name: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  const broker = values.broker ?? env.BROKER ?? 'redis';
  if (!BROKER_KINDS.includes(broker as BrokerKind)) {
    throw new Error(`${values.broker === undefined ? 'BROKER' : '--broker'}: expected ${BROKER_KINDS.join(', ')} (got "${broker}")`);
  }
  const name = values.name ?? 'local';
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(name)) throw new Error(`--name: expected 1-64 characters of [A-Za-z0-9_-] (got "${name}")`);
  return {
    broker: broker as BrokerKind,
    gateways: integer(values.gateways ?? '2', '--gateways', 1, 32),
    partitions: integer(values.partitions ?? '1', '--partitions', 1, MAX_PARTITIONS),
    port: env.PORT ? integer(env.PORT, 'PORT', 1, 65_535) : DEFAULT_PORT,
    name,
    help: values.help ?? false,
  };
}
