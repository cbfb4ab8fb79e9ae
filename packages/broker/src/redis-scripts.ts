import { createHash } from 'node:crypto';
import type { PublishInput, StoredEvent } from './broker.js';
import { IDEMPOTENCY_TTL_MS } from './idempotency-cache.js';
import { parseStoredEvent } from './envelope-json.js';
import type { RedisClient } from './redis-connection.js';
import type { RedisKeys } from './redis-keys.js';
import { APPEND_LUA, CLUSTER_APPEND_LUA, HEAD_LUA, LATEST_LUA, READ_LUA } from './redis-lua.js';

/** A Lua script run with EVALSHA, falling back to EVAL when Redis lost its script cache (restart). */
export class RedisScript {
  private readonly sha: string;

  constructor(private readonly lua: string) {
    this.sha = createHash('sha1').update(lua).digest('hex');
  }

  async run(client: RedisClient, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    try {
      return await client.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return client.eval(this.lua, keys.length, ...keys, ...args);
    }
  }
}

const appendScript = new RedisScript(APPEND_LUA);
const clusterAppendScript = new RedisScript(CLUSTER_APPEND_LUA);
const readScript = new RedisScript(READ_LUA);
const latestScript = new RedisScript(LATEST_LUA);
const headScript = new RedisScript(HEAD_LUA);

/** Retention limits the scripts apply, and how the log is served. */
export interface ScriptLimits {
  readonly maxCount: number;
  readonly maxAgeMs: number;
  /** On a Redis Cluster: SPUBLISH instead of PUBLISH, and a new epoch under a new master (see EPOCH_LUA). */
  readonly cluster: boolean;
}

/** The JSON body of one event as the append script splices it into the stored event. */
function eventBody(input: PublishInput): string {
  return JSON.stringify({ topic: input.topic, type: input.type, data: input.data ?? null }).slice(1, -1);
}

/** Appends events in one atomic step; answers the stored events (the original ones for a repeated key). */
export async function runAppend(
  client: RedisClient,
  keys: RedisKeys,
  limits: ScriptLimits,
  inputs: readonly PublishInput[],
  idempotencyKey: string | undefined,
  freshEpoch: string,
): Promise<StoredEvent[]> {
  const scriptKeys = [keys.seq, keys.epoch, keys.idempotency(idempotencyKey ?? '')];
  if (limits.cluster) scriptKeys.push(keys.origin);
  const useKey = idempotencyKey === undefined ? 0 : 1;
  const args: (string | number)[] = [freshEpoch, limits.maxCount, limits.maxAgeMs, IDEMPOTENCY_TTL_MS, useKey, keys.channelPrefix];
  for (const input of inputs) {
    scriptKeys.push(keys.stream(input.topic), keys.meta(input.topic));
    args.push(input.topic, eventBody(input));
  }
  const script = limits.cluster ? clusterAppendScript : appendScript;
  return JSON.parse(String(await script.run(client, scriptKeys, args))) as StoredEvent[];
}

/** Events of `topics` with seq > after (at most `limit` per topic), and whether retention dropped any. */
export async function runRead(
  client: RedisClient,
  keys: RedisKeys,
  limits: ScriptLimits,
  topics: readonly string[],
  after: number,
  limit: number,
): Promise<{ pages: StoredEvent[][]; truncated: boolean }> {
  const scriptKeys = topics.flatMap((topic) => [keys.stream(topic), keys.meta(topic)]);
  const [truncated, pages] = (await readScript.run(client, scriptKeys, [after, limit, limits.maxAgeMs])) as [number, string[][]];
  return { pages: pages.map((page) => page.map(parseStoredEvent)), truncated: truncated === 1 };
}

/** The newest `limit` events of one topic, oldest first. */
export async function runLatest(client: RedisClient, keys: RedisKeys, limits: ScriptLimits, topic: string, limit: number): Promise<StoredEvent[]> {
  const newestFirst = (await latestScript.run(client, [keys.stream(topic), keys.meta(topic)], [limit, limits.maxAgeMs])) as string[];
  return newestFirst.map(parseStoredEvent).reverse();
}

/** The log's epoch (created when missing) and last position. */
export async function runHead(client: RedisClient, keys: RedisKeys, cluster: boolean, freshEpoch: string): Promise<{ epoch: string; seq: number }> {
  const [epoch, seq] = (await headScript.run(client, [keys.epoch, keys.seq, keys.origin], [freshEpoch, cluster ? 1 : 0])) as [string, string];
  return { epoch, seq: Number(seq) };
}
