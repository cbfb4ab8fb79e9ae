import { partitionOf } from '@ssehub/protocol';
import { IpcChild } from '../ipc.js';
import { loadAverage, sampleProcs } from '../measure/proc-stat.js';
import type { FloodRequest, FloodResult } from '../publisher/log-flood-protocol.js';
import type { BrokerDeployment } from '../targets/broker-deployment.js';

/** Options of {@link runPartitionedLog}. */
export interface PartitionedLogOptions {
  /** Partition counts tried in turn, each on fresh logs (a prefix of its own). */
  readonly partitions: readonly number[];
  /** Topics published round-robin: `bench/s7/<i>`. */
  readonly topics: number;
  /** Client processes (as ingest nodes would be), each with its own broker connection and its share of the topics. */
  readonly clients: number;
  /** Publishes awaiting acknowledgement at any time, per client. */
  readonly concurrency: number;
  readonly warmupMs: number;
  readonly stepMs: number;
  /** CPUs of the publishing and following client. */
  readonly clientCpus: string;
}

/** One partition count on one deployment. */
export interface PartitionedLogStep {
  readonly partitions: number;
  /** Ordered logs the step's prefix made on the broker: equal to `partitions` when the broker honoured it. */
  readonly logsFound: number;
  readonly acked: number;
  readonly failed: number;
  readonly firstError?: string;
  readonly ackedPerS: number;
  /** CPU of every broker process (replicas included) per acknowledged publish, µs. */
  readonly brokerCpuUsPerPublish: number;
  /** Every broker process together, % of one core. */
  readonly brokerCpuPct: number;
  /** Each shard's (master's, server's) CPU, % of one core. */
  readonly shardCpuPct: Readonly<Record<string, number>>;
  /** The busiest shard's share of the shards' CPU; balanced = 1 / shards. */
  readonly busiestShardShare: number;
  /** The busiest partition's share of the step's topics (FNV-1a-32 mod P): what even hashing can do. */
  readonly busiestPartitionTopicShare: number;
  /** The clients' CPU together, % of one core: near 100 × clients means they, not the broker, set the rate. */
  readonly clientCpuPct: number;
  /** What the clients following their topics received: nothing lost, duplicated or out of order. */
  readonly received: number;
  readonly lost: number;
  readonly duplicates: number;
  readonly reordered: number;
  readonly loadAverage: number;
}

/** One deployment's S7 run, or why it could not run. */
export interface PartitionedLogResult {
  readonly deployment: string;
  readonly shards: number;
  readonly steps: PartitionedLogStep[];
  readonly error?: string;
}

const round = (value: number, digits = 2): number => Math.round(value * 10 ** digits) / 10 ** digits;
const TOPIC = (i: number): string => `bench/s7/${i}`;

function busiestPartitionTopicShare(topics: readonly string[], partitions: number): number {
  const counts = new Array<number>(partitions).fill(0);
  for (const topic of topics) counts[partitionOf(topic, partitions)]!++;
  return round(Math.max(...counts) / topics.length, 3);
}

/** Sums the clients' answers to one flood. */
function total(floods: readonly FloodResult[]): FloodResult {
  const sum = (pick: (flood: FloodResult) => number): number => floods.reduce((acc, flood) => acc + pick(flood), 0);
  const firstError = floods.find((flood) => flood.firstError !== undefined)?.firstError;
  return {
    acked: sum((f) => f.acked),
    failed: sum((f) => f.failed),
    ...(firstError === undefined ? {} : { firstError }),
    elapsedMs: Math.max(...floods.map((f) => f.elapsedMs)),
    received: sum((f) => f.received),
    lost: sum((f) => f.lost),
    duplicates: sum((f) => f.duplicates),
    reordered: sum((f) => f.reordered),
  };
}

async function measure(deployment: BrokerDeployment, partitions: number, topics: readonly string[], options: PartitionedLogOptions): Promise<PartitionedLogStep> {
  const prefix = `s7-p${partitions}-log`;
  const clients = Array.from({ length: options.clients }, () => IpcChild.start({ script: 'publisher/log-flood-process.js', cpus: options.clientCpus }));
  // Every client answers before the step goes on or fails, so none is stopped while it still answers.
  const all = async (request: (index: number) => FloodRequest): Promise<unknown[]> => {
    const answers = await Promise.allSettled(clients.map((client, i) => client.call(request(i))));
    const failed = answers.find((answer) => answer.status === 'rejected');
    if (failed) throw failed.reason;
    return answers.map((answer) => (answer as PromiseFulfilledResult<unknown>).value);
  };
  const clientPids = clients.map((client) => client.pid);
  try {
    // Each client publishes and follows its own topics, so each topic's order is checked by the one that numbers it.
    await all((i) => ({ op: 'open', url: deployment.url(partitions), prefix, topics: topics.filter((_, t) => t % clients.length === i) }));
    await all(() => ({ op: 'flood', concurrency: options.concurrency, durationMs: options.warmupMs }));
    const shardsBefore = deployment.shards.map((shard) => sampleProcs([shard.pid]));
    const brokerBefore = sampleProcs(deployment.pids);
    const clientBefore = sampleProcs(clientPids);
    const flood = total((await all(() => ({ op: 'flood', concurrency: options.concurrency, durationMs: options.stepMs }))) as FloodResult[]);
    const brokerAfter = sampleProcs(deployment.pids);
    const clientAfter = sampleProcs(clientPids);
    const shardUs = deployment.shards.map((shard, i) => sampleProcs([shard.pid]).cpuUs - shardsBefore[i]!.cpuUs);
    await all(() => ({ op: 'close' }));
    const wallUs = (brokerAfter.at - brokerBefore.at) * 1000;
    const brokerUs = brokerAfter.cpuUs - brokerBefore.cpuUs;
    const shardTotal = shardUs.reduce((sum, us) => sum + us, 0);
    return {
      partitions,
      logsFound: await deployment.countLogs(prefix),
      acked: flood.acked,
      failed: flood.failed,
      ...(flood.firstError === undefined ? {} : { firstError: flood.firstError }),
      ackedPerS: Math.round((flood.acked * 1000) / Math.max(1, flood.elapsedMs)),
      brokerCpuUsPerPublish: round(brokerUs / Math.max(1, flood.acked)),
      brokerCpuPct: Math.round((100 * brokerUs) / wallUs),
      shardCpuPct: Object.fromEntries(deployment.shards.map((shard, i) => [shard.name, Math.round((100 * shardUs[i]!) / wallUs)])),
      busiestShardShare: shardTotal === 0 ? 0 : round(Math.max(...shardUs) / shardTotal, 3),
      busiestPartitionTopicShare: busiestPartitionTopicShare(topics, partitions),
      clientCpuPct: Math.round((100 * (clientAfter.cpuUs - clientBefore.cpuUs)) / wallUs),
      received: flood.received,
      lost: flood.lost,
      duplicates: flood.duplicates,
      reordered: flood.reordered,
      loadAverage: loadAverage(),
    };
  } finally {
    await Promise.all(clients.map((client) => client.stop()));
  }
}

/**
 * S7: acknowledged publishes/s and broker CPU per publish of one deployment at each partition count,
 * from client processes publishing in a closed loop, each following its own topics; the busiest shard's share of
 * the broker's CPU shows how evenly the partitions landed on the shards.
 */
export async function runPartitionedLog(deployment: BrokerDeployment, options: PartitionedLogOptions, log: (line: string) => void): Promise<PartitionedLogResult> {
  const topics = Array.from({ length: options.topics }, (_, i) => TOPIC(i));
  const steps: PartitionedLogStep[] = [];
  for (const partitions of options.partitions) {
    try {
      const step = await measure(deployment, partitions, topics, options);
      steps.push(step);
      log(
        `  ${deployment.name}, P=${partitions} (${step.logsFound} logs found): ${step.ackedPerS} acknowledged publishes/s, ` +
          `${step.brokerCpuUsPerPublish} µs broker CPU/publish (${step.brokerCpuPct}%), busiest shard ${step.busiestShardShare} of shard CPU ` +
          `(balanced ${round(1 / deployment.shards.length, 3)}), client ${step.clientCpuPct}%, followed ${step.received}: lost ${step.lost}, ` +
          `duplicated ${step.duplicates}, reordered ${step.reordered}${step.failed > 0 ? `, ${step.failed} publishes failed: ${step.firstError}` : ''}`,
      );
    } catch (error) {
      // A deployment the broker cannot use yet (redis-cluster:// before it lands) is reported, not fatal.
      const message = (error as Error).message.split('\n')[0]!;
      log(`  ${deployment.name}, P=${partitions}: not measured: ${message}`);
      return { deployment: deployment.name, shards: deployment.shards.length, steps, error: `P=${partitions}: ${message}` };
    }
  }
  return { deployment: deployment.name, shards: deployment.shards.length, steps };
}
