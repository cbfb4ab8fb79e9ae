import type { StormResult } from '../scenarios/storm-result.js';

function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const line = (cells: readonly (string | number)[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** S6's Markdown: recovery, survivors' CPU and latency before / during the storm, the every-event-once check. */
export function stormSection(results: readonly StormResult[]): string[] {
  return [
    '## S6 storm (kill -9 one of 3 gateways behind nginx; streams reconnect as EventSource does)',
    table(
      ['target', 'variant', 'streams', 'killed (streams)', 'all reconnected s', "all back s (or how many were by the window's end)", 'survivors CPU % before → storm', 'nginx CPU % before → storm', 'loadgens CPU % before → storm',
        "survivors' streams p50 ms before → storm", "survivors' streams p99 ms before → storm", 'load avg'],
      results.map((r) => [
        r.target, r.variant, r.streams, `${r.killed} (${r.streamsByGateway[r.killed] ?? 0})`, r.reconnectedS, r.allBack ? r.backS : `${r.backStreams} of ${r.brokenStreams} back`,
        `${r.survivorCpuPctBefore} → ${r.survivorCpuPctStorm}`, `${r.nginxCpuPctBefore} → ${r.nginxCpuPctStorm}`, `${r.loadgenCpuPctBefore} → ${r.loadgenCpuPctStorm}`,
        `${r.survivorP50MsBefore} → ${r.survivorP50MsStorm}`, `${r.survivorP99MsBefore} → ${r.survivorP99MsStorm}`, `${r.loadAverageBefore} → ${r.loadAverageAfter}`,
      ]),
    ),
    table(
      ['variant', 'streams broken, by first gateway', 'failed attempts by reason', 'killed streams p99 ms (storm, catch-up included)', 'published', 'deliveries due', 'received', 'gaps', 'duplicates', 'tail lost', 'resets'],
      results.map((r) => [
        r.variant, JSON.stringify(r.brokenByGateway), JSON.stringify(r.failures), r.killedP99MsStorm, r.published, r.expected, r.received, r.gaps, r.duplicates, r.tailLost, r.resets,
      ]),
    ),
  ];
}
