import { StormPool } from '../loadgen/storm-pool.js';
import type { RecoveryReply } from '../loadgen/storm-protocol.js';
import { loadAverage, sampleProcs } from '../measure/proc-stat.js';
import { clockMs, type PublishPlan } from '../publisher/pacer.js';
import { startStormCluster, type StormCluster } from '../targets/ssehub-storm-cluster.js';
import { allBack, describeStorm, summariseStorm, type CpuReading, type StormResult } from './storm-result.js';

/** A gateway setting under test: "admission off" is the gateways as they are; a variant adds env. */
export interface StormVariant {
  readonly name: string;
  readonly gatewayEnv: Readonly<Record<string, string>>;
}

/** Options of {@link runStorm}. */
export interface StormOptions {
  readonly broker: 'redis' | 'nats';
  readonly gateways: number;
  readonly streams: number;
  /** Publishes per second round-robin over the streams' own topics, and on the one topic every stream shares. */
  readonly personalRate: number;
  readonly sharedRate: number;
  /** How long latencies and CPU are measured before the kill, and how long the storm may take at most. */
  readonly beforeMs: number;
  readonly stormMaxMs: number;
  readonly variant: StormVariant;
  readonly serverCpus: string;
  readonly clientCpus: string;
}

/** Each stream's own topic, and the one topic every stream also subscribes to. */
const PERSONAL_TOPIC = 'users/{i}/notifications';
const SHARED_TOPIC = 'bench/storm';
/** Publishing runs this long before the measured window starts (JIT, first GC). @default 2000 */
const WARMUP_MS = 2000;
/** How often recovery is polled. @default 100 */
const POLL_MS = 100;

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
/** Waits until every stream that broke is back (or `maxMs` passed); answers the last recovery reading. */
async function awaitRecovery(pool: StormPool, killedStreams: number, maxMs: number): Promise<RecoveryReply> {
  const deadline = performance.now() + maxMs;
  for (;;) {
    const recovery = await pool.recovery();
    if (allBack(recovery, killedStreams) || performance.now() > deadline) return recovery;
    await pause(POLL_MS);
  }
}

/** Waits until `expected` deliveries arrived, or nothing arrived for 3 s. */
async function awaitDeliveries(pool: StormPool, expected: number): Promise<void> {
  let last = -1;
  let quietSince = performance.now();
  for (;;) {
    const { received } = await pool.totals();
    if (received >= expected) return;
    if (received !== last) [last, quietSince] = [received, performance.now()];
    else if (performance.now() - quietSince > 3000) return;
    await pause(200);
  }
}

/**
 * S6: N streams spread by nginx over several gateways, each on its own topic plus one shared topic,
 * steady publishing; then kill -9 the busiest gateway. Measures how long until all its streams are
 * back (reconnected as EventSource does, resumed from `Last-Event-ID`, every event once and in
 * order), the survivors' CPU, and the survivors' own streams' latency during the storm against before.
 */
export async function runStorm(options: StormOptions, log: (line: string) => void): Promise<StormResult> {
  const loadAverageBefore = loadAverage();
  const cluster: StormCluster = await startStormCluster({
    broker: options.broker,
    gateways: options.gateways,
    // One nginx worker holds 8,192 connections, two per stream; reconnects briefly need more.
    nginxWorkers: Math.ceil((options.streams * 2 * 1.5) / 8192),
    gatewayEnv: options.variant.gatewayEnv,
    serverCpus: options.serverCpus,
    publisherCpus: options.clientCpus,
  });
  const pool = StormPool.start(options.streams, options.clientCpus);
  try {
    const pathTemplate = `/v1/events?topic=${PERSONAL_TOPIC}&topic=${SHARED_TOPIC}`;
    await pool.connect({ ...cluster.entry, pathTemplate }, options.streams);
    const { streamsByHome } = await pool.totals();
    const [killed, killedStreams] = Object.entries(streamsByHome).sort((a, b) => b[1] - a[1])[0]!;
    const survivors = cluster.gateways.map((gateway) => gateway.nodeId).filter((id) => id !== killed);
    const survivorPids = (): number[] => survivors.flatMap((id) => cluster.gatewayPids(id));
    const sampleCpus = (): CpuReading => ({ survivors: sampleProcs(survivorPids()), nginx: sampleProcs(cluster.nginxPids()), loadgens: sampleProcs(pool.pids) });
    log(`  ${options.streams} streams over ${JSON.stringify(streamsByHome)}; will kill ${killed}`);

    const durationMs = WARMUP_MS + options.beforeMs + options.stormMaxMs;
    const personal: PublishPlan = { topicTemplate: PERSONAL_TOPIC, topics: options.streams, rate: options.personalRate, durationMs };
    const shared: PublishPlan = { topicTemplate: SHARED_TOPIC, topics: 1, rate: options.sharedRate, durationMs };
    const publishing = Promise.all([cluster.publisher.publish(personal), cluster.publisher.publish(shared)]);

    await pause(WARMUP_MS);
    await pool.phase();
    const cpuStart = sampleCpus();
    await pause(options.beforeMs);
    const before = await pool.phase();
    const cpuKill = sampleCpus();
    const killedAt = clockMs();
    await cluster.gateways.find((gateway) => gateway.nodeId === killed)!.kill();
    const recovery = await awaitRecovery(pool, killedStreams, options.stormMaxMs - 1000);
    const cpuEnd = sampleCpus();
    const storm = await pool.phase();

    const publishes = await publishing;
    const expected = publishes[0].published + publishes[1].published * options.streams;
    await awaitDeliveries(pool, expected);
    const result = summariseStorm({
      target: `ssehub ${options.gateways} gateways+nginx+${options.broker}`,
      variant: options.variant.name,
      streams: options.streams,
      streamsByGateway: streamsByHome,
      killed,
      killedAt,
      recovery,
      cpu: { start: cpuStart, kill: cpuKill, end: cpuEnd },
      before,
      storm,
      publishes,
      expected,
      totals: await pool.totals(),
      loadAverageBefore,
      loadAverageAfter: loadAverage(),
    });
    log(describeStorm(result));
    return result;
  } finally {
    await pool.stop();
    await cluster.stop();
  }
}
