import { spawn } from 'node:child_process';
import { requireBinary } from './binaries.js';
import { freePort } from './free-port.js';
import { startRedis, type RedisServer } from './redis-server.js';

/** Options of {@link startRedisCluster}. */
export interface StartRedisClusterOptions {
  /** Masters, each owning an even share of the 16,384 hash slots. @default 3 */
  readonly masters?: number;
  /** Replicas per master. @default 1 */
  readonly replicasPerMaster?: number;
  /**
   * How long a master may be unreachable before its replica takes over (`cluster-node-timeout`).
   * Short by default so a failover test does not wait 15 s. @default 2000
   */
  readonly nodeTimeoutMs?: number;
}

/** A Redis Cluster a test started from Debian's `redis-server` and `redis-cli --cluster create`. */
export interface RedisCluster {
  /** `redis-cluster://127.0.0.1:<p1>,127.0.0.1:<p2>,...`: every node, the way BROKER_URL lists them. */
  readonly url: string;
  /** Every node, masters first as created (a failover changes who is master; ask {@link RedisCluster.masterOf}). */
  readonly nodes: readonly RedisServer[];
  /** The node that serves `slot` now (`CLUSTER SHARDS` as one of the live nodes sees it). */
  masterOf(slot: number): Promise<RedisServer>;
  /** Runs `redis-cli -p <port> <args>` on a node and answers its output. */
  cli(node: RedisServer, ...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

/** Runs redis-cli; rejects with its output when it exits non-zero. */
function redisCli(args: readonly string[]): Promise<string> {
  const binary = requireBinary('redis-cli', 'redis-tools');
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(output) : reject(new Error(`redis-cli ${args.join(' ')} exited ${code}:\n${output}`))));
  });
}

/** Polls `check` every 100 ms until it answers true; fails naming `what` after `timeoutMs`. */
async function until(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`redis cluster: ${what} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Starts `masters × (1 + replicasPerMaster)` redis-servers in cluster mode on free loopback ports and
 * joins them with `redis-cli --cluster create`; resolves once every node reports `cluster_state:ok`,
 * knows every other node, and every replica has synced with its master.
 */
export async function startRedisCluster(options: StartRedisClusterOptions = {}): Promise<RedisCluster> {
  const masters = options.masters ?? 3;
  const replicas = options.replicasPerMaster ?? 1;
  const size = masters * (1 + replicas);
  const nodeTimeoutMs = options.nodeTimeoutMs ?? 2000;
  // The cluster bus listens on port + 10000, so each node needs a port whose bus port is free too.
  const ports: number[] = [];
  while (ports.length < size) {
    const port = await freePort();
    if (port + 10_000 <= 65_535 && !ports.includes(port)) ports.push(port);
  }
  const started = await Promise.allSettled(
    ports.map((port) =>
      startRedis({
        port,
        args: ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', String(nodeTimeoutMs)],
      }),
    ),
  );
  const nodes = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const stop = async (): Promise<void> => void (await Promise.all(nodes.map((node) => node.stop())));
  const failed = started.find((result) => result.status === 'rejected');
  if (failed) {
    await stop();
    throw failed.reason;
  }
  const cli = (node: RedisServer, ...args: string[]): Promise<string> => redisCli(['-p', String(node.port), ...args]);
  try {
    const addresses = nodes.map((node) => `127.0.0.1:${node.port}`);
    await redisCli(['--cluster', 'create', ...addresses, '--cluster-replicas', String(replicas), '--cluster-yes']);
    for (const node of nodes) {
      await until(`node ${node.port} reports cluster_state:ok`, 30_000, async () => (await cli(node, 'CLUSTER', 'INFO')).includes('cluster_state:ok'));
      await until(`node ${node.port} knows all ${size} nodes`, 30_000, async () => (await cli(node, 'CLUSTER', 'NODES')).trim().split('\n').length === size);
      // A replica that never synced cannot take over, and after a diskless sync the master streams writes
      // to it only once it acknowledged an offset: wait until every master sees its replicas acknowledge.
      await until(`node ${node.port} has its replicas streaming`, 30_000, async () => replicasStreaming(await cli(node, 'INFO', 'replication'), replicas));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url: `redis-cluster://${nodes.map((node) => `127.0.0.1:${node.port}`).join(',')}`,
    nodes,
    cli,
    async masterOf(slot) {
      for (const node of nodes) {
        const owner = await cli(node, 'CLUSTER', 'SHARDS').then((shards) => masterPortForSlot(shards, slot)).catch(() => undefined);
        const found = nodes.find((candidate) => candidate.port === owner);
        if (found) return found;
      }
      throw new Error(`redis cluster: no live node names a master for slot ${slot}`);
    },
    stop,
  };
}

/**
 * Reads `redis-cli CLUSTER SHARDS` output (one value per line, nested arrays flattened) and answers
 * the port of the online master of the shard whose slot ranges cover `slot`.
 */
export function masterPortForSlot(shards: string, slot: number): number | undefined {
  const lines = shards.split('\n').map((line) => line.trim());
  // Each shard starts with "slots", then its ranges as start/end pairs, then "nodes" and per node key/value pairs.
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== 'slots') continue;
    let j = i + 1;
    let covers = false;
    while (j + 1 < lines.length && /^\d+$/.test(lines[j] ?? '')) {
      if (Number(lines[j]) <= slot && slot <= Number(lines[j + 1])) covers = true;
      j += 2;
    }
    if (!covers) continue;
    let port: number | undefined;
    let role: string | undefined;
    let health: string | undefined;
    for (let k = j + 1; k < lines.length && lines[k] !== 'slots'; k += 1) {
      if (lines[k] === 'port') port = Number(lines[k + 1]);
      if (lines[k] === 'role') role = lines[k + 1];
      if (lines[k] === 'health') health = lines[k + 1];
      if (health !== undefined) {
        if (role === 'master' && health === 'online') return port;
        port = role = health = undefined;
      }
    }
  }
  return undefined;
}

/** True for a replica, or a master whose `INFO replication` lists `replicas` online replicas that acknowledged an offset. */
function replicasStreaming(info: string, replicas: number): boolean {
  if (!info.includes('role:master')) return true;
  const acked = info.split('\n').filter((line) => /^slave\d+:.*state=online,offset=[1-9]/.test(line));
  return acked.length >= replicas;
}
