// `pnpm cluster`: the compose topology as local processes, until Ctrl-C.
import { relative } from 'node:path';
import { USAGE, parseCliOptions, type CliOptions } from './cli-options.js';
import { REPO_ROOT } from './paths.js';
import { CLUSTER_APP_ENV, startCluster, type Cluster } from './start-cluster.js';

function fail(message: string): never {
  process.stderr.write(`ssehub cluster: ${message}\n`);
  process.exit(1);
}

function describe(cluster: Cluster, options: CliOptions): string {
  const pad = (label: string): string => label.padEnd(11);
  return [
    `ssehub cluster "${cluster.name}" is ready (${options.broker}${options.partitions > 1 ? ` over ${options.partitions} partitions` : ''}, ` +
      `${options.gateways} gateway${options.gateways === 1 ? '' : 's'}):`,
    '',
    `  ${pad('open')}${cluster.url}/   (nginx)`,
    ...cluster.gateways.map((gateway) => `  ${pad(gateway.nodeId)}${gateway.url}`),
    `  ${pad('ingest')}${cluster.ingestUrl}`,
    `  ${pad('web')}${cluster.webUrl}`,
    `  ${pad('broker')}${cluster.broker.url}`,
    `  ${pad('logs')}${relative(process.cwd(), cluster.dir) || '.'}/logs/`,
    '',
    'Ctrl-C stops everything.',
    '',
  ].join('\n');
}

let options: CliOptions;
try {
  options = parseCliOptions(process.argv.slice(2), process.env);
} catch (error) {
  fail(`${(error as Error).message}\n\n${USAGE}`);
}
if (options.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

process.stdout.write(`starting ${options.broker} + ${options.gateways} gateways + ingest + web + nginx on port ${options.port} ...\n`);
let stopping = false;
const cluster = await startCluster({
  broker: options.broker,
  gateways: options.gateways,
  partitions: options.partitions,
  port: options.port,
  name: options.name,
  keep: true,
  // The apps inherit this environment; only the cluster's own defaults need passing on to win over them.
  env: Object.fromEntries(Object.keys(CLUSTER_APP_ENV).flatMap((name) => (process.env[name] === undefined ? [] : [[name, process.env[name]!]]))),
  onUnexpectedExit: (name, code, signal) => {
    if (stopping) return;
    process.stderr.write(`ssehub cluster: ${name} exited (${signal ?? `code ${code}`}); see .cluster/${options.name}/logs/${name}.log\n`);
  },
}).catch((error: unknown) => fail((error as Error).message));
process.stdout.write(describe(cluster, options));

async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  process.stdout.write(`\n${signal}: stopping nginx, apps and ${options.broker} ...\n`);
  await cluster.stop();
  process.stdout.write(`stopped; logs and data stay in ${relative(process.cwd(), cluster.dir) || REPO_ROOT}\n`);
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
