import type { Broker, CreateBrokerOptions } from './broker.js';
import { BrokerError } from './errors.js';
import { createMemoryBroker, createPartitionedMemoryBroker } from './memory.js';

export type { CreateBrokerOptions } from './broker.js';


/** The schemes {@link createBroker} understands. */
export const BROKER_SCHEMES = ['memory:', 'redis:', 'redis-cluster:', 'nats:'] as const;

/** A `BROKER_URL`, checked once: the text as given, the backend it names and that backend's options. */
export interface BrokerUrl {
  /** The URL as given (a NATS or Redis Cluster URL may list several servers). */
  readonly href: string;
  /** `redis-cluster://` is kind `redis`; the href's scheme tells the Redis backend to use a cluster client. */
  readonly kind: 'memory' | 'redis' | 'nats';
  /** `memory://?maxBytes=N`: the memory broker's bound on history across topics (estimated bytes). */
  readonly maxBytes?: number;
  /** `?partitions=N` (1-64): how many ordered logs the topics are spread over. @default 1 */
  readonly partitions: number;
}

/** Most partitions a deployment may have: a resume token names its partitions in a 64-bit mask. @default 64 */
export const MAX_PARTITIONS = 64;

/** Parses a `BROKER_URL`, throwing a BrokerError that names what is wrong. */
export function parseBrokerUrl(url: string): BrokerUrl {
  let parsed: URL;
  try {
    // A NATS or Redis Cluster URL may list several servers (`nats://h1:4222,h2:4222`), which URL cannot parse: check the first.
    parsed = new URL(/^(nats|redis-cluster):\/\//.test(url) ? url.replace(/,[^/?#]*/g, '') : url);
  } catch (cause) {
    throw new BrokerError('invalid_url', `"${url}" is not a URL (expected memory://, redis://host:port, redis-cluster://host:port,... or nats://host:port)`, { cause });
  }
  if (!(BROKER_SCHEMES as readonly string[]).includes(parsed.protocol)) {
    throw new BrokerError('unsupported_backend', `"${parsed.protocol}//" is not a broker (expected memory://, redis://, redis-cluster:// or nats://)`);
  }
  const kind = (parsed.protocol === 'redis-cluster:' ? 'redis' : parsed.protocol.slice(0, -1)) as BrokerUrl['kind'];
  const partitions = partitionCount(parsed);
  return kind === 'memory' ? { href: url, kind, partitions, maxBytes: memoryMaxBytes(parsed) } : { href: url, kind, partitions };
}

/** `?partitions=N`: how many ordered logs the topics are spread over, 1 to {@link MAX_PARTITIONS}. */
function partitionCount(url: URL): number {
  const value = url.searchParams.get('partitions');
  if (value === null) return 1;
  const count = Number(value);
  if (!/^[0-9]+$/.test(value) || count < 1 || count > MAX_PARTITIONS) {
    throw new BrokerError('invalid_url', `partitions=${value.slice(0, 40)} must be a whole number from 1 to ${MAX_PARTITIONS}`);
  }
  return count;
}

/** `memory://?maxBytes=N`: the memory broker's bound on history across topics (estimated bytes). */
function memoryMaxBytes(url: URL): number | undefined {
  const value = url.searchParams.get('maxBytes');
  if (value === null) return undefined;
  const bytes = Number(value);
  if (!/^[0-9]+$/.test(value) || !Number.isSafeInteger(bytes) || bytes < 1) {
    throw new BrokerError('invalid_url', `maxBytes=${value.slice(0, 40)} in memory:// must be a whole number of bytes, at least 1`);
  }
  return bytes;
}

/**
 * Creates the broker a URL names: `memory://[?maxBytes=N]`, `redis://host:port`,
 * `redis-cluster://host:port[,host:port]` or `nats://host:port[,host:port]`; apps pass the {@link BrokerUrl} their config already parsed.
 */
export async function createBroker(brokerUrl: string | BrokerUrl, options: CreateBrokerOptions = {}): Promise<Broker> {
  const parsed = typeof brokerUrl === 'string' ? parseBrokerUrl(brokerUrl) : brokerUrl;
  const url = parsed.href;
  switch (parsed.kind) {
    case 'memory':
      if (parsed.partitions > 1) return createPartitionedMemoryBroker({ ...options, maxBytes: parsed.maxBytes }, parsed.partitions);
      return createMemoryBroker({ ...options, maxBytes: parsed.maxBytes });
    case 'nats': {
      // Loaded on demand, so memory:// users never load the NATS client.
      const { createNatsBroker } = await import('./nats.js');
      return createNatsBroker({ ...options, url });
    }
    case 'redis': {
      // Imported on demand, so memory:// users never load ioredis.
      const { createRedisBroker } = await import('./redis.js');
      return createRedisBroker({ ...options, url, partitions: parsed.partitions });
    }
  }
}
