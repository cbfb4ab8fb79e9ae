import { JetStreamApiError, type StreamInfo } from '@nats-io/jetstream';
import type { Broker, CreateBrokerOptions, PartitionLog } from './broker.js';
import { composeBroker } from './compose-broker.js';
import { MAX_PARTITIONS } from './create-broker.js';
import { BrokerError } from './errors.js';
import { IDEMPOTENCY_TTL_MS } from './idempotency-cache.js';
import { createPartitionedBroker } from './partitioned-broker.js';
import { DEFAULT_HISTORY_MAX_AGE_S, DEFAULT_HISTORY_MAX_PER_TOPIC } from './retention-defaults.js';
import { createNatsBackend, type NatsStreamLog } from './nats-backend.js';
import { spreadStreamLeaders } from './nats-leaders.js';
import { createNatsPresenceStore } from './nats-presence.js';
import { openNatsShared, type NatsShared } from './nats-shared.js';
import { ensureStream, partitionStreams, streamConfig, streamEpoch, streamNames } from './nats-stream.js';
import { parseNatsUrl } from './nats-url.js';

export { NATS_REQUEST_TIMEOUT_MS } from './nats-shared.js';

/** Options of {@link createNatsBroker}. */
export interface NatsBrokerOptions extends CreateBrokerOptions {
  /** `nats://[user:pass@]host:port[,host:port][?replicas=N]`. */
  readonly url: string;
  /** Replicas of each stream (3 on a 3-node cluster); also `?replicas=3` in the URL. @default 1 */
  readonly replicas?: number;
  /** Ordered logs (streams) the topics are spread over; `?partitions=N` of BROKER_URL. @default 1 */
  readonly partitions?: number;
}

/** Creates or updates a stream at start, retrying while JetStream is not ready (a cluster electing its leader). */
async function openStream({ link, jsm }: NatsShared, { config }: NatsStreamLog, onRetry?: (message: string) => void): Promise<StreamInfo> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await ensureStream(jsm, config);
    } catch (error) {
      const permanent = error instanceof BrokerError || (error instanceof JetStreamApiError && error.status < 500);
      if (permanent || link.nc.isClosed()) throw explainPermanent(config.name, error);
      onRetry?.(`nats: stream ${config.name} not ready (attempt ${attempt}): ${error instanceof Error ? error.message : String(error)}`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

/** JetStream refuses a stream whose subjects overlap another's: the prefix already runs with another partition count. */
function explainPermanent(stream: string, error: unknown): unknown {
  if (!(error instanceof JetStreamApiError) || !/overlap/i.test(error.message)) return error;
  return new BrokerError('invalid_url', `nats: stream ${stream}'s subjects overlap another stream's: this prefix runs with another partition count (BROKER_URL ?partitions=N)`, {
    cause: error,
  });
}

/**
 * The `partitions` logs of one process, each a {@link PartitionLog} over its own JetStream stream (see
 * `partitionStreams`), all over one connection, one signal subscription and one presence store. Every
 * stream is created (or brought to the wanted limits) before this resolves. Closing the last log closes the connection.
 */
export async function createNatsPartitionLogs(options: NatsBrokerOptions, partitions: number): Promise<PartitionLog[]> {
  if (!Number.isInteger(partitions) || partitions < 1 || partitions > MAX_PARTITIONS) {
    throw new BrokerError('invalid_url', `partitions=${partitions} must be a whole number from 1 to ${MAX_PARTITIONS}`);
  }
  const deployment = streamNames(options.prefix ?? 'ssehub');
  const replicas = options.replicas ?? parseNatsUrl(options.url).replicas ?? 1;
  const settings = {
    maxPerTopic: options.historyMaxPerTopic ?? DEFAULT_HISTORY_MAX_PER_TOPIC,
    maxAgeS: options.historyMaxAgeS ?? DEFAULT_HISTORY_MAX_AGE_S,
    duplicateWindowS: IDEMPOTENCY_TTL_MS / 1000,
    replicas,
  };
  const streams: NatsStreamLog[] = partitionStreams(deployment, partitions).map((names) => ({ names, config: streamConfig(names, settings) }));
  const shared = await openNatsShared(options.url, deployment, options.onRetry);
  try {
    const epochs = await Promise.all(streams.map(async (log) => streamEpoch(await openStream(shared, log, options.onRetry))));
    if (partitions > 1 && replicas > 1) {
      // Each stream's leader takes its writes: spread them, or the busiest server holds up every partition it leads.
      await spreadStreamLeaders(shared.link.nc, shared.jsm, streams.map((log) => log.names.stream)).catch((error: unknown) => {
        options.onRetry?.(`nats: stream leaders left as elected: ${error instanceof Error ? error.message : String(error)}`);
      });
    }
    const presence = await createNatsPresenceStore(shared.js, shared.jsm, deployment, replicas);
    return streams.map((log, k) => composeBroker((hooks) => createNatsBackend(shared, log, epochs[k]!, hooks), presence));
  } catch (error) {
    await shared.link.nc.close();
    throw error;
  }
}

/**
 * A broker over JetStream: with one partition, one stream per deployment (`<PREFIX>` over `<prefix>.>`,
 * ids = stream sequence + epoch); with more, one stream per partition under the partitioned broker, which
 * spreads the topics over them and owns the resume token.
 */
export async function createNatsBroker(options: NatsBrokerOptions): Promise<Broker> {
  const partitions = options.partitions ?? 1;
  const logs = await createNatsPartitionLogs(options, partitions);
  if (partitions === 1) return logs[0]!;
  try {
    return await createPartitionedBroker('nats', logs, logs[0]!.presence);
  } catch (error) {
    await Promise.all(logs.map((log) => log.close()));
    throw error;
  }
}
