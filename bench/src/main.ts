import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadAverage } from './measure/proc-stat.js';
import { SCENARIOS, parseOptions } from './options.js';
import { FULL_PLAN, QUICK_PLAN } from './plan.js';
import { describeMachine } from './report/machine.js';
import { renderMarkdown, type BenchReport } from './report/markdown.js';
import { computeRatios, crossNodeDeltas, notificationRatios } from './report/ratios.js';
import { runSuite } from './suite.js';

// `pnpm bench [-- --quick] [--only=S1,S3] [--no-nchan] [--profile] [--users=N] [--rates=a,b]`: runs the scenarios and writes
// bench/results/latest.{json,md} (quick.{json,md} for --quick; a run of some scenarios only adds them to the
// name, latest-s5.json, so it never replaces a whole run's results).
const log = (line: string): void => void process.stdout.write(`${line}\n`);
const options = (() => {
  try {
    return parseOptions(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(2);
  }
})();

const started = new Date();
const machine = describeMachine();
log(`ssehub bench (${options.quick ? 'quick' : 'full'}): ${options.scenarios.join(', ')}${options.nchan ? ' + Nchan' : ''}; load average ${machine.loadAverageAtStart}`);
const results = await runSuite(options, options.quick ? QUICK_PLAN : FULL_PLAN, log);
const report: BenchReport = {
  mode: options.quick ? 'quick' : 'full',
  command: `pnpm bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).filter((arg) => arg !== '--').join(' ')}` : ''}`,
  startedAt: started.toISOString(),
  durationS: Math.round((Date.now() - started.getTime()) / 1000),
  machine,
  loadAverageAtEnd: loadAverage(),
  ratios: computeRatios(results),
  crossNodeAdded: crossNodeDeltas(results),
  notificationRatios: notificationRatios(results),
  results,
};
const dir = fileURLToPath(new URL('../results/', import.meta.url));
mkdirSync(dir, { recursive: true });
const some = options.scenarios.length < SCENARIOS.length ? `-${options.scenarios.join('-').toLowerCase()}` : '';
const name = `${options.quick ? 'quick' : 'latest'}${some}`;
writeFileSync(`${dir}${name}.json`, `${JSON.stringify(report, null, 2)}\n`);
writeFileSync(`${dir}${name}.md`, renderMarkdown(report));
for (const ratio of report.ratios) log(`  ${ratio.scenario}, ${ratio.what}: ssehub ${ratio.ssehub} / Nchan ${ratio.nchan} = ${ratio.ratio}`);
for (const ratio of report.notificationRatios) {
  log(`  S5 ${ratio.target} @ ${ratio.rate}/s: ${ratio.cpuUs} µs CPU/notification, ÷ express ${ratio.vsExpress ?? '-'}, ÷ node:http ${ratio.vsBare ?? '-'}`);
}
log(`wrote bench/results/${name}.json and ${name}.md in ${report.durationS} s`);
