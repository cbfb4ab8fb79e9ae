import type { FanoutResult } from '../scenarios/fanout.js';
import type { StepResult } from '../scenarios/measure-step.js';
import type { SuiteResults } from '../suite.js';
import type { MachineInfo } from './machine.js';
import { cpuUsPerNotification, type NotificationsResult } from '../scenarios/notifications.js';
import type { CrossNodeDelta, NotificationRatio, Ratio } from './ratios.js';
import { partitionedLogSection } from './partitioned-log-section.js';
import { stormSection } from './storm-section.js';

/** A finished run as written to bench/results. */
export interface BenchReport {
  readonly mode: 'full' | 'quick';
  readonly command: string;
  readonly startedAt: string;
  readonly durationS: number;
  readonly machine: MachineInfo;
  readonly loadAverageAtEnd: number;
  readonly ratios: Ratio[];
  readonly crossNodeAdded: CrossNodeDelta[];
  /** S5: CPU per notification against the yardsticks. */
  readonly notificationRatios: NotificationRatio[];
  readonly results: SuiteResults;
}

function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const line = (cells: readonly (string | number)[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

const STEP_HEADER = ['target', 'subs', 'events/s', 'deliveries/s', 'µs CPU/delivery', 'server CPU %', 'broker CPU %', 'loadgen CPU %', 'p50 ms', 'p99 ms', 'max ms', 'lost', 'cut off', 'load avg'];

function stepRow(target: string, subscribers: number, step: StepResult): (string | number)[] {
  return [
    target, subscribers, step.rate, step.deliveredPerS, step.cpuUsPerDelivery, step.serverCpuPct, step.brokerCpuPct,
    step.loadgenCpuPct, step.p50Ms, step.p99Ms, step.maxMs, step.lost, step.closed, step.loadAverage,
  ];
}

function fanoutTable(results: readonly FanoutResult[]): string {
  return table(STEP_HEADER, results.flatMap((result) => result.steps.map((step) => stepRow(result.target, result.subscribers, step))));
}

function notificationSections(results: readonly NotificationsResult[], ratios: readonly NotificationRatio[]): string[] {
  const steps = table(
    ['target', 'users', 'publishes/s', 'delivered/s', 'µs CPU/notification', 'server µs', 'broker µs', 'server CPU %', 'broker CPU %', 'publisher CPU %', 'loadgen CPU %', 'p50 ms', 'p99 ms', 'max ms', 'lost', 'load avg'],
    results.flatMap((result) =>
      result.steps.map((step) => [
        result.target, result.subscribers, step.rate, step.deliveredPerS, cpuUsPerNotification(step), step.cpuUsPerDelivery, step.brokerCpuUsPerDelivery,
        step.serverCpuPct, step.brokerCpuPct, step.publisherCpuPct, step.loadgenCpuPct, step.p50Ms, step.p99Ms, step.maxMs, step.lost, step.loadAverage,
      ]),
    ),
  );
  const best = table(
    ['target', 'highest publishes/s kept up (no loss, p99 ≤ 1 s)', 'p50 ms', 'p99 ms', 'µs CPU/notification there'],
    results.map((r) => (r.best ? [r.target, r.best.rate, r.best.p50Ms, r.best.p99Ms, cpuUsPerNotification(r.best)] : [r.target, 'none', '', '', ''])),
  );
  const versus = table(
    ['target', 'publishes/s', 'µs CPU/notification', '÷ express 5 yardstick', '÷ node:http yardstick'],
    ratios.map((r) => [r.target, r.rate, r.cpuUs, r.vsExpress ?? '', r.vsBare ?? '']),
  );
  return [
    '## S5 notifications (one topic per user, HTTP publishes; CPU = server + broker)',
    steps,
    best,
    'CPU per notification against the yardsticks at the same rate (steps that delivered everything):',
    versus,
  ];
}

function sections(report: BenchReport): string[] {
  const { results, machine } = report;
  const out: string[] = [
    `# ssehub bench (${report.mode})`,
    `Run ${report.startedAt} with \`${report.command}\`, ${report.durationS} s. ${machine.cpu}, ${machine.cores} cores, ` +
      `${machine.memoryGb} GB, Linux ${machine.kernel}, Node ${machine.node}, ${machine.nginx}, Nchan ${machine.nchan}, ` +
      `open files ${machine.openFilesLimit}. Load average ${machine.loadAverageAtStart} at start, ${report.loadAverageAtEnd} at end ` +
      '(the machine is shared: server CPU per delivery is the figure that holds).',
  ];
  if (report.ratios.length > 0) {
    out.push('## ssehub / Nchan', table(['scenario', 'figure', 'ssehub', 'Nchan', 'ratio'], report.ratios.map((r) => [r.scenario, r.what, r.ssehub, r.nchan, r.ratio])));
  }
  if (results.fanout.length > 0) out.push('## S1 fan-out (one topic)', fanoutTable(results.fanout));
  if (results.idle.length > 0) {
    out.push(
      '## S2 idle connections',
      table(
        ['target', 'connections', 'open', 'RSS before MB', 'RSS after MB', 'KB/connection', 'CPU at rest %', 'connect s', 'connect µs CPU each', 'load avg'],
        results.idle.map((r) => [
          r.target, r.connections, r.open, r.rssBeforeMb, r.rssAfterMb, r.rssKbPerConnection, r.restCpuPct, r.connectSeconds, r.connectCpuUsPerConnection, r.loadAverage,
        ]),
      ),
    );
  }
  if (results.personal.length > 0) {
    out.push(
      '## S3 personal topics (one topic per subscriber)',
      table([...STEP_HEADER, 'KB/connection'], results.personal.map((r) => [...stepRow(r.target, r.subscribers, r.step), r.rssKbPerConnection])),
    );
  }
  if (results.crossNode.length > 0) out.push('## S4 cross-node (2 gateways + broker, one topic)', fanoutTable(results.crossNode));
  if (report.crossNodeAdded.length > 0) {
    out.push(
      'What the broker hop adds to p50 (S4 p50 − S1 p50 at the same size and rate):',
      table(['target', 'subs', 'events/s', 'S1 p50 ms', 'S4 p50 ms', 'added ms'], report.crossNodeAdded.map((d) => [d.target, d.subscribers, d.rate, d.s1P50Ms, d.p50Ms, d.addedP50Ms])),
    );
  }
  if (results.notifications.length > 0) out.push(...notificationSections(results.notifications, report.notificationRatios));
  if (results.storm.length > 0) out.push(...stormSection(results.storm));
  if (results.partitionedLog.length > 0) out.push(...partitionedLogSection(results.partitionedLog));
  for (const [scenario, profile] of Object.entries(results.profiles)) {
    if (!profile) continue;
    out.push(
      `## Where the ${scenario === 'fanout' ? 'S1' : 'S3'} gateway's CPU goes (V8 profile, ${profile.busyMs} ms busy)`,
      table(['category', '% of busy'], Object.entries(profile.categories)),
      table(['function (self time)', '% of busy'], profile.top),
    );
  }
  return out;
}

/** Renders a run as Markdown tables. */
export function renderMarkdown(report: BenchReport): string {
  return `${sections(report).join('\n\n')}\n`;
}
