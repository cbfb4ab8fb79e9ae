import { randomUUID } from 'node:crypto';
import type { PresenceStore, VersionedRecord } from './broker.js';
import { toBrokerError, type RedisClient } from './redis-connection.js';
import { RedisScript } from './redis-scripts.js';

// Compare-and-set of one presence record, keeping the per-topic user set and the topic set in step.
const PRESENCE_CAS_LUA = `
local current = redis.call('GET', KEYS[1])
local revision = ''
if current then revision = cjson.decode(current).rev end
if revision ~= ARGV[1] then return 0 end
if ARGV[2] == '' then
  redis.call('DEL', KEYS[1])
  redis.call('SREM', KEYS[2], ARGV[3])
  if redis.call('SCARD', KEYS[2]) == 0 then redis.call('SREM', KEYS[3], ARGV[4]) end
else
  redis.call('SET', KEYS[1], ARGV[2])
  redis.call('SADD', KEYS[2], ARGV[3])
  redis.call('SADD', KEYS[3], ARGV[4])
end
return 1
`;
const presenceCas = new RedisScript(PRESENCE_CAS_LUA);

// User names are arbitrary strings; base64url keeps them inside one key segment.
const encodeUser = (user: string): string => Buffer.from(user, 'utf8').toString('base64url');
const decodeUser = (encoded: string): string => Buffer.from(encoded, 'base64url').toString('utf8');

/**
 * Presence records in Redis: one JSON value per (topic, user) under `keyPrefix` (redis-keys.ts,
 * presenceKeyPrefix), changed by a Lua compare-and-set. `entries()` walks the topic set and the user sets
 * this store keeps, never KEYS or SCAN, so on a cluster (where every key shares one hash tag) it reads one node.
 */
export function createRedisPresenceStore(client: RedisClient, keyPrefix: string): PresenceStore {
  const recordKey = (topic: string, user: string): string => `${keyPrefix}r:${topic}:${encodeUser(user)}`;
  const usersKey = (topic: string): string => `${keyPrefix}u:${topic}`;
  const topicsKey = `${keyPrefix}topics`;
  const guard = async <T>(operation: () => Promise<T>): Promise<T> => {
    try {
      return await operation();
    } catch (error) {
      throw toBrokerError(error);
    }
  };
  return {
    get: <R>(topic: string, user: string) =>
      guard(async (): Promise<VersionedRecord<R>> => {
        const stored = await client.get(recordKey(topic, user));
        if (!stored) return { record: null, revision: null };
        const parsed = JSON.parse(stored) as { rev: string; record: R };
        return { record: parsed.record, revision: parsed.rev };
      }),
    put: (topic, user, record, revision) =>
      guard(async () => {
        const value = record ? JSON.stringify({ rev: randomUUID(), record }) : '';
        const keys = [recordKey(topic, user), usersKey(topic), topicsKey];
        const written = await presenceCas.run(client, keys, [revision ?? '', value, encodeUser(user), topic]);
        return written === 1;
      }),
    users: (topic) => guard(async () => (await client.smembers(usersKey(topic))).map(decodeUser)),
    entries: () =>
      guard(async () => {
        const out: { topic: string; user: string }[] = [];
        for (const topic of await client.smembers(topicsKey)) {
          for (const user of await client.smembers(usersKey(topic))) out.push({ topic, user: decodeUser(user) });
        }
        return out;
      }),
  };
}
