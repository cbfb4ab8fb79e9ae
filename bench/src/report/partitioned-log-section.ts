import type { PartitionedLogResult } from '../scenarios/partitioned-log.js';

function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const line = (cells: readonly (string | number)[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** S7's Markdown: a row per deployment and partition count, and the deployments that could not run. */
export function partitionedLogSection(results: readonly PartitionedLogResult[]): string[] {
  const rows = results.flatMap((result) =>
    result.steps.map((step) => [
      result.deployment, step.partitions, step.logsFound === step.partitions ? step.logsFound : `**${step.logsFound}** (not partitioned)`,
      step.ackedPerS, step.brokerCpuUsPerPublish, step.brokerCpuPct, Object.values(step.shardCpuPct).join(' / '),
      `${step.busiestShardShare} (1/${result.shards} = ${(1 / result.shards).toFixed(3)})`, step.busiestPartitionTopicShare, step.clientCpuPct,
      step.failed, `${step.received} / ${step.lost} / ${step.duplicates} / ${step.reordered}`, step.loadAverage,
    ]),
  );
  const out = [
    '## S7 partitioned log (client processes publishing in a closed loop, each following its own topics; the broker side on one core)',
    table(
      ['deployment', 'P', 'logs found', 'acked publishes/s', 'broker µs CPU/publish', 'broker CPU %', 'shards CPU %', 'busiest shard share of shard CPU', 'busiest partition share of topics', 'client CPU %',
        'failed', 'followed: received / lost / duplicated / reordered', 'load avg'],
      rows,
    ),
  ];
  const failed = results.filter((result) => result.error !== undefined);
  if (failed.length > 0) out.push(table(['deployment', 'not measured'], failed.map((result) => [result.deployment, result.error!])));
  return out;
}
