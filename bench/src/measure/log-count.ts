import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Redis } from 'ioredis';

// How many ordered logs a step's prefix made on the broker, read from the engine itself, so a step
// asked for P partitions by a broker that ignores `?partitions` shows 1, not a figure for P.

/** Redis: the distinct `{…}` hash tags among the prefix's keys on every master (no tag at all: one log). */
export async function countRedisLogs(masterPorts: readonly number[], prefix: string): Promise<number> {
  const tags = new Set<string>();
  let keys = 0;
  for (const port of masterPorts) {
    const redis = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await redis.connect();
      let cursor = '0';
      do {
        const [next, found] = await redis.scan(cursor, 'MATCH', `*${prefix}*`, 'COUNT', 1000);
        cursor = next;
        keys += found.length;
        for (const key of found) {
          const tag = /\{([^}]+)\}/.exec(key)?.[1];
          if (tag !== undefined) tags.add(tag);
        }
      } while (cursor !== '0');
    } finally {
      redis.disconnect();
    }
  }
  return keys === 0 ? 0 : Math.max(1, tags.size);
}

/** NATS: the JetStream streams named after the prefix (upper-cased, as the broker names them) that hold events; presence's stays empty in S7. */
export async function countNatsStreams(servers: readonly string[], prefix: string): Promise<number> {
  const nc = await connect({ servers: [...servers] });
  try {
    const manager = await jetstreamManager(nc);
    let count = 0;
    for await (const info of manager.streams.list()) if (info.config.name.startsWith(prefix.toUpperCase()) && info.state.messages > 0) count++;
    return count;
  } finally {
    await nc.close();
  }
}
