import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { summariseProfile, type ProfileSummary } from './measure/profile-summary.js';
import { SCENARIOS, type BenchOptions, type Scenario } from './options.js';
import type { BenchPlan } from './plan.js';
import { runFanout, type FanoutResult } from './scenarios/fanout.js';
import { runIdle, type IdleResult } from './scenarios/idle.js';
import { runNotifications, type NotificationsResult } from './scenarios/notifications.js';
import { runPartitionedLog, type PartitionedLogResult } from './scenarios/partitioned-log.js';
import { runPersonal, type PersonalResult } from './scenarios/personal.js';
import { runStorm, type StormVariant } from './scenarios/storm.js';
import type { StormResult } from './scenarios/storm-result.js';
import { startBrokerDeployment } from './targets/broker-deployment.js';
import { ensureNchan, startNchan } from './targets/nchan.js';
import { startSsehubCluster } from './targets/ssehub-cluster.js';
import { startSsehubHarness } from './targets/ssehub-harness.js';
import { startSsehubStandalone } from './targets/ssehub-standalone.js';
import type { Target } from './targets/target.js';
import { startYardstick } from './targets/yardstick.js';

/** Everything one run measured. */
export interface SuiteResults {
  fanout: FanoutResult[];
  idle: IdleResult[];
  personal: PersonalResult[];
  crossNode: FanoutResult[];
  notifications: NotificationsResult[];
  storm: StormResult[];
  /** S7: one entry per broker deployment. */
  partitionedLog: PartitionedLogResult[];
  /** V8 profiles of the S1 (first size) and S3 gateways, with `--profile`. */
  profiles: { fanout?: ProfileSummary; personal?: ProfileSummary };
}

/** Processes (and fds) one gateway worker or nginx worker gets for idle connections here. @default 15000 */
const CONNECTIONS_PER_PROCESS = 15_000;

function summariseIfWritten(file: string | undefined): ProfileSummary | undefined {
  return file !== undefined && existsSync(file) ? summariseProfile(file) : undefined;
}

async function withTarget<T>(start: () => Promise<Target>, run: (target: Target) => Promise<T>): Promise<T> {
  const target = await start();
  try {
    return await run(target);
  } finally {
    await target.stop();
  }
}

/** What every scenario runner needs. */
interface SuiteContext {
  readonly options: BenchOptions;
  readonly plan: BenchPlan;
  readonly results: SuiteResults;
  readonly log: (line: string) => void;
  /** Where a profile of `name` goes, with `--profile`. */
  profileFile(name: string): string | undefined;
}

async function runS1({ options, plan, results, log, profileFile }: SuiteContext): Promise<void> {
  log('S1 fan-out: one topic, publish rate stepped up until p99 > 1 s or loss');
  const { serverCpus, clientCpus } = options;
  for (const { subscribers, rates } of plan.fanout) {
    const fanout = { subscribers, rates, stepMs: plan.stepMs, loadgenCpus: clientCpus };
    const profiled = { ...fanout, profileFile: subscribers === plan.fanout[0]!.subscribers ? profileFile('s1') : undefined };
    results.fanout.push(await withTarget(() => startSsehubHarness({ cpus: serverCpus }), (t) => runFanout(t, profiled, log)));
    if (options.nchan) {
      results.fanout.push(await withTarget(() => startNchan({ cpus: serverCpus, publisherCpus: clientCpus }), (t) => runFanout(t, fanout, log)));
    }
  }
  results.profiles.fanout = summariseIfWritten(profileFile('s1'));
}

/** HS256 secret of S2's gateways and load generators: every ssehub stream there carries its own token. */
const S2_JWT_SECRET = 'bench-s2-secret-of-at-least-32-characters';

async function runS2({ options, plan, results, log }: SuiteContext): Promise<void> {
  log('S2 idle: RSS per connection and CPU at rest; each ssehub stream with its own JWT');
  for (const connections of options.idle ?? plan.idle) {
    const processes = Math.ceil(connections / CONNECTIONS_PER_PROCESS);
    // Not pinned: connecting is the slow part here, and nothing per delivery is measured.
    const idle = { connections, topicTemplate: 'bench/idle', restMs: plan.restMs, settleMs: plan.idleSettleMs, loadgenCpus: '0,1' };
    const ssehub = (): Promise<Target> =>
      startSsehubCluster({ broker: 'redis', gateways: 1, workers: processes, publisherCpus: options.clientCpus, jwtSecret: S2_JWT_SECRET });
    // A connect to a topic that already has subscribers on the node, and one that is the first on its topic.
    results.idle.push(await withTarget(ssehub, (t) => runIdle(t, { ...idle, jwtSecret: S2_JWT_SECRET }, log)));
    const personal = { ...idle, topicTemplate: 'users/{i}/notifications', jwtSecret: S2_JWT_SECRET };
    const onePerStream = await withTarget(ssehub, (t) => runIdle(t, personal, log));
    results.idle.push({ ...onePerStream, target: `${onePerStream.target}, a topic per stream` });
    // The floor of a connect on Node; one process holds at most CONNECTIONS_PER_PROCESS streams.
    if (processes === 1) {
      const bare = (): Promise<Target> => startYardstick({ kind: 'bare', publisherCpus: options.clientCpus });
      results.idle.push(await withTarget(bare, (t) => runIdle(t, idle, log)));
    }
    if (options.nchan) {
      const nchan = (): Promise<Target> => startNchan({ publisherCpus: options.clientCpus, workers: processes });
      results.idle.push(await withTarget(nchan, (t) => runIdle(t, idle, log)));
    }
  }
}

async function runS3({ options, plan, results, log, profileFile }: SuiteContext): Promise<void> {
  log('S3 personal topics: every subscriber on its own users/{i}/notifications');
  const personal = { ...plan.personal, loadgenCpus: options.clientCpus, profileFile: profileFile('s3') };
  results.personal.push(await withTarget(() => startSsehubHarness({ cpus: options.serverCpus }), (t) => runPersonal(t, personal, log)));
  results.profiles.personal = summariseIfWritten(personal.profileFile);
}

async function runS4({ options, plan, results, log }: SuiteContext): Promise<void> {
  log('S4 cross-node: S1 through 2 gateways and a broker');
  for (const broker of ['redis', 'nats'] as const) {
    const fanout = { ...plan.crossNode, stepMs: plan.stepMs, loadgenCpus: options.clientCpus };
    const cluster = (): Promise<Target> =>
      startSsehubCluster({ broker, gateways: 2, gatewayCpus: options.serverCpus, publisherCpus: options.clientCpus });
    results.crossNode.push(await withTarget(cluster, (t) => runFanout(t, fanout, log)));
  }
}

async function runS5({ options, plan, results, log }: SuiteContext): Promise<void> {
  log('S5 notifications: every subscriber on its own topic, HTTP publishes at stepped rates (and a trusted backend without HTTP)');
  const { serverCpus, clientCpus } = options;
  const notifications = {
    subscribers: options.users ?? plan.notifications.subscribers,
    rates: options.rates ?? plan.notifications.rates,
    stepMs: plan.stepMs,
    loadgenCpus: clientCpus,
  };
  // Everything of the server side on the server's CPU, the broker included: one core per target.
  const cluster = (broker: 'redis' | 'nats') => (): Promise<Target> =>
    startSsehubCluster({ broker, gateways: 1, ingest: true, gatewayCpus: serverCpus, brokerCpus: serverCpus, publisherCpus: clientCpus });
  const targets: (() => Promise<Target>)[] = [
    () => startYardstick({ kind: 'bare', cpus: serverCpus, publisherCpus: clientCpus }),
    () => startYardstick({ kind: 'express', cpus: serverCpus, publisherCpus: clientCpus }),
    () => startSsehubStandalone({ cpus: serverCpus, publisherCpus: clientCpus }),
    cluster('redis'),
    cluster('nats'),
    // A trusted Node backend publishing without HTTP: in the server's process, and from its own process over Redis.
    () => startSsehubHarness({ cpus: serverCpus, trusted: true }),
    () => startSsehubCluster({ broker: 'redis', gateways: 1, trusted: true, gatewayCpus: serverCpus, brokerCpus: serverCpus, publisherCpus: clientCpus }),
    ...(options.nchan ? [() => startNchan({ cpus: serverCpus, publisherCpus: clientCpus })] : []),
  ];
  for (const start of targets) results.notifications.push(await withTarget(start, (t) => runNotifications(t, notifications, log)));
}

/** S6's gateway settings: the gateways have no admission control of their own yet. */
const STORM_VARIANTS: readonly StormVariant[] = [{ name: 'admission off', gatewayEnv: {} }];

async function runS6({ options, plan, results, log }: SuiteContext): Promise<void> {
  log('S6 storm: streams over 3 gateways behind nginx, kill -9 one, every stream of it back');
  for (const variant of STORM_VARIANTS) {
    const storm = { ...plan.storm, broker: 'redis' as const, gateways: 3, variant, serverCpus: options.serverCpus, clientCpus: options.clientCpus };
    results.storm.push(await runStorm(storm, log));
  }
}

async function runS7({ options, plan, results, log }: SuiteContext): Promise<void> {
  log('S7 partitioned log: acknowledged publishes/s and broker CPU per publish at each partition count, clients publishing in a closed loop');
  const { deployments, ...steps } = plan.partitionedLog;
  for (const which of options.deployments ?? deployments) {
    // The whole broker side on the server's CPU, the client on the other: CPU per publish is the figure that holds on 2 cores.
    const deployment = await startBrokerDeployment(which, options.serverCpus).catch((error: Error) => error);
    if (deployment instanceof Error) {
      log(`  ${which}: not started: ${deployment.message.split('\n')[0]}`);
      results.partitionedLog.push({ deployment: which, shards: 0, steps: [], error: `not started: ${deployment.message.split('\n')[0]}` });
      continue;
    }
    try {
      results.partitionedLog.push(await runPartitionedLog(deployment, { ...steps, clientCpus: options.clientCpus }, log));
    } finally {
      await deployment.stop();
    }
  }
}

/** Scenarios that measure Nchan beside ssehub. */
const NCHAN_SCENARIOS: readonly Scenario[] = ['S1', 'S2', 'S5'];

const RUNNERS = { S1: runS1, S2: runS2, S3: runS3, S4: runS4, S5: runS5, S6: runS6, S7: runS7 } as const;

/** Runs the scenarios the options pick, ssehub then the others (Nchan, yardsticks) for each, and collects the results. */
export async function runSuite(options: BenchOptions, plan: BenchPlan, log: (line: string) => void): Promise<SuiteResults> {
  const results: SuiteResults = { fanout: [], idle: [], personal: [], crossNode: [], notifications: [], storm: [], partitionedLog: [], profiles: {} };
  const profileDir = options.profile ? mkdtempSync(join(tmpdir(), 'ssehub-bench-profile-')) : undefined;
  const profileFile = (name: string): string | undefined => (profileDir === undefined ? undefined : join(profileDir, `${name}.cpuprofile`));
  if (options.nchan && options.scenarios.some((scenario) => NCHAN_SCENARIOS.includes(scenario))) ensureNchan(log);
  for (const scenario of SCENARIOS) {
    if (options.scenarios.includes(scenario)) await RUNNERS[scenario]({ options, plan, results, log, profileFile });
  }
  return results;
}
