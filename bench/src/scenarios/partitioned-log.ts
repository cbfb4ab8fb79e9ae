import { partitionOf } from '@ssehub/protocol';
import { loadAverage, sampleProcs } from '../measure/proc-stat.js';
import { FloodClients } from '../publisher/flood-clients.js';
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

/** CPU of the broker's processes, of each shard and of the clients, from one instant to another. */
function cpuWindow(deployment: BrokerDeployment, clientPids: readonly number[]): () => { wallUs: number; brokerUs: number; shardUs: number[]; clientUs: number } {
  const shards = deployment.shards.map((shard) => sampleProcs([shard.pid]));
  const broker = sampleProcs(deployment.pids);
  const client = sampleProcs(clientPids);
  return () => {
    const brokerNow = sampleProcs(deployment.pids);
    return {
      wallUs: (brokerNow.at - broker.at) * 1000,
      brokerUs: brokerNow.cpuUs - broker.cpuUs,
      shardUs: deployment.shards.map((shard, i) => sampleProcs([shard.pid]).cpuUs - shards[i]!.cpuUs),
      clientUs: sampleProcs(clientPids).cpuUs - client.cpuUs,
    };
  };
}

async function measure(deployment: BrokerDeployment, partitions: number, topics: readonly string[], options: PartitionedLogOptions): Promise<PartitionedLogStep> {
  const prefix = `s7-p${partitions}-log`;
  const clients = FloodClients.start(options.clients, options.clientCpus);
  try {
    await clients.open(deployment.url(partitions), prefix, topics);
    await clients.flood(options.concurrency, options.warmupMs);
    const cpuSince = cpuWindow(deployment, clients.pids);
    const flood = await clients.flood(options.concurrency, options.stepMs);
    const { wallUs, brokerUs, shardUs, clientUs } = cpuSince();
    await clients.close();
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
      clientCpuPct: Math.round((100 * clientUs) / wallUs),
      received: flood.received,
      lost: flood.lost,
      duplicates: flood.duplicates,
      reordered: flood.reordered,
      loadAverage: loadAverage(),
    };
  } finally {
    await clients.stop();
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
        `  ${deployment.name}, P=${partitions} (${step.logsFound} logs found${step.logsFound === partitions ? '' : ': NOT PARTITIONED'}): ${step.ackedPerS} acknowledged publishes/s, ` +
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
