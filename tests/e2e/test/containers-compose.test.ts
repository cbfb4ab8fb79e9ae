// docker-compose.yml and the Dockerfile, run for real: every app image is built from the Dockerfile and
// the README's compose commands start the whole topology (Podman's Docker API under Debian's docker-compose
// v1, so `docker compose` is run as `docker-compose`). Through its nginx: subscribe, publish, receive and
// resume, with a gateway container killed mid-stream; then Ctrl-C stops everything and each container must
// have drained and exited 0. The base images are made offline from Debian's packages (containers/base-images.sh).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, until } from '@ssehub/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishSteadily } from './support/cluster-load.js';
import { checkDelivery, perfectDelivery } from './support/delivery-check.js';
import { runHealthChecks, startPodmanService, type PodmanService } from './support/podman.js';
import { openResilientStream, type ResilientStream } from './support/resilient-sse.js';
import { REPO_ROOT } from './support/standalone.js';

const run = promisify(execFile);

/** README's compose commands, as written there ("Running a cluster"). */
export const README_COMPOSE_COMMANDS = {
  redis: 'docker compose up --build',
  nats: 'BROKER_URL=nats://nats:4222 docker compose up --build',
  port: 'PORT=9000 docker compose up --build',
} as const;

/** deploy/k8s/README.md's image build, run with Podman's CLI (`podman build` takes the same arguments) into `localhost/`. */
export const K8S_README_BUILD = 'docker build --target gateway -t <registry>/ssehub/gateway:0.1.0 .';

const CONTAINERS_DIR = join(REPO_ROOT, 'tests/e2e/containers');
/** Compose project of the test: container names are `ssehubci_<service>_1`. @default "ssehubci" */
const PROJECT = 'ssehubci';
/** Where base-images.sh keeps the debootstrap tarball between runs on one machine. */
const CACHE_DIR = process.env.SSEHUB_CONTAINER_CACHE ?? '/var/tmp/ssehub-containers';
const APPS = ['gateway', 'ingest', 'web', 'standalone'] as const;
const CLIENTS = 12;
const EVENTS = 300;
const KILL_AT = 100;
/** The first `up --build` compiles the workspace inside the build stage. */
const FIRST_UP_TIMEOUT_MS = 12 * 60_000;
const RUN_TIMEOUT_MS = 15 * 60_000;

let podman: PodmanService;
let stopHealthChecks = (): void => undefined;
const figures: string[] = [];
/** Figures as they come, so a long run shows where it is. */
const note = (line: string): void => {
  figures.push(line);
  process.stdout.write(`[containers] ${line}\n`);
};

/** docker-compose's environment: the engine, the CI override (limits this machine can give), nothing else of ours. */
function composeEnv(): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/root',
    ...podman.env,
    COMPOSE_PROJECT_NAME: PROJECT,
    COMPOSE_FILE: ['docker-compose.yml', join(CONTAINERS_DIR, 'compose.ci.yml')].join(':'),
    SSEHUB_CI_NOFILE: String(podman.nofile),
    SSEHUB_CI_NPROC: String(podman.nproc),
  };
}

const compose = (...args: string[]): Promise<string> =>
  run('docker-compose', args, { cwd: REPO_ROOT, env: composeEnv(), maxBuffer: 64 * 1024 * 1024 }).then((r) => r.stdout);

/** One `docker compose up` in the foreground, as a user runs it. */
interface ComposeUp {
  readonly child: ChildProcess;
  output(): string;
}

/** Runs a README command, with `docker compose` as Debian's `docker-compose` (the same command, v1). */
function composeUp(readmeCommand: string): ComposeUp {
  let output = '';
  const child = spawn('bash', ['-c', readmeCommand.replace('docker compose', 'docker-compose')], {
    cwd: REPO_ROOT,
    env: composeEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk: Buffer) => void (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => void (output += chunk.toString()));
  return { child, output: () => output };
}

/** Waits until nginx answers /healthz (it starts once every app is healthy); fails if compose exits first. */
async function waitForNginx(up: ComposeUp, url: string, timeoutMs: number): Promise<void> {
  const answers = async (): Promise<boolean> => {
    if (up.child.exitCode !== null) {
      const states = await podman.podman('ps', '-a', '--filter', `label=com.docker.compose.project=${PROJECT}`, '--format', '{{.Names}} {{.Status}}');
      throw new Error(`docker-compose exited ${up.child.exitCode}:\n${up.output().slice(-3000)}\n${states}`);
    }
    return fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) }).then((r) => r.ok, () => false);
  };
  await until(answers, `nginx to answer ${url}/healthz`, timeoutMs).catch((error: Error) => {
    throw new Error(`${error.message}:\n${up.output().slice(-4000)}`);
  });
}

/** Ctrl-C, as a user stops `docker compose up`: compose stops every container with its stop signal and grace. */
async function interrupt(up: ComposeUp): Promise<void> {
  if (up.child.exitCode !== null) return;
  const exited = new Promise((resolve) => up.child.once('exit', resolve));
  up.child.kill('SIGINT');
  await exited;
}

/** Each container of the project: name → [state, exit code]. */
async function containerStates(): Promise<Map<string, [string, number]>> {
  const rows = await podman.podman('ps', '-a', '--filter', `label=com.docker.compose.project=${PROJECT}`, '--format', '{{.Names}}|{{.State}}|{{.ExitCode}}');
  return new Map(rows.split('\n').filter(Boolean).map((row) => {
    const [name, state, code] = row.split('|');
    return [name!, [state!.split(' ')[0]!.toLowerCase(), Number(code)]];
  }));
}

/** Exit codes of a clean stop: 0, and nats-server's 1 after its shutdown on SIGTERM ("Server Exiting.."). */
const cleanExit = (name: string): number[] => (name.includes('_nats_') ? [0, 1] : [0]);

/** Opens CLIENTS streams, publishes EVENTS numbered events, runs `fault` at KILL_AT; checks every client. */
async function deliverThrough(url: string, topic: string, fault: () => Promise<void>): Promise<ResilientStream[]> {
  const clients = await Promise.all(Array.from({ length: CLIENTS }, () => openResilientStream(url, topic)));
  try {
    let faulted: Promise<void> | undefined;
    const acks = await publishSteadily({
      url,
      topic,
      count: EVENTS,
      ratePerS: 50,
      maxAttempts: 50,
      // Publishing waits for the kill: on a busy machine `podman kill` can take longer than the rest of
      // the run, and events the victim's clients got before it died would prove nothing.
      onAck: (ack) => (ack.n === KILL_AT ? (faulted = fault()) : undefined),
    });
    await faulted;
    await Promise.all(clients.map((client) => client.waitForCount(EVENTS, 60_000)));
    for (const client of clients) expect(checkDelivery(client.delivered, acks)).toEqual(perfectDelivery(EVENTS));
    for (const client of clients) expect(client.resets()).toBe(0);
    return clients;
  } finally {
    for (const client of clients) client.close();
  }
}

/** The README command run, the gateway-1 container killed mid-stream, Ctrl-C: nothing lost, every container drained. */
async function clusterRun(label: string, command: string, port: number, upTimeoutMs: number, killGateway = true): Promise<void> {
  const url = `http://127.0.0.1:${port}`;
  const started = performance.now();
  const up = composeUp(command);
  try {
    await waitForNginx(up, url, upTimeoutMs);
    note(`${label}: \`${command}\` until nginx answered: ${((performance.now() - started) / 1000).toFixed(0)} s`);
    const victim = killGateway ? `${PROJECT}_gateway-1_1` : undefined;
    const clients = await deliverThrough(url, `rooms/compose-${label}`, async () => {
      if (victim) await podman.podman('kill', '--signal', 'KILL', victim);
    });
    const onGateway1 = clients.filter((client) => client.nodes[0]?.startsWith('gateway-1'));
    expect(onGateway1.length, 'nginx spreads streams over both gateways').toBeGreaterThan(0);
    if (victim) for (const client of onGateway1) expect(client.nodes.length, 'a client of the killed gateway resumed').toBeGreaterThan(1);
    const resumes = clients.flatMap((client) => client.resumeMs).sort((a, b) => a - b);
    const fault = victim ? `gateway-1 killed at #${KILL_AT}` : 'no fault';
    note(`${label}: ${CLIENTS} clients, ${EVENTS} events, ${fault}: 0 lost, 0 duplicated; ${resumes.length} resumes, slowest ${Math.round(resumes.at(-1) ?? 0)} ms`);

    const stopping = performance.now();
    if (up.child.exitCode === null) {
      await interrupt(up);
      note(`${label}: Ctrl-C to every container stopped: ${((performance.now() - stopping) / 1000).toFixed(1)} s`);
    } else {
      // docker-compose v1's log printer over Podman's Docker API now and then fails when a container it
      // followed was killed and restarts (`'NoneType' object has no attribute 'log_stream'`), and compose
      // exits while the containers run on. What is under test is how they stop: the same stop signals and
      // grace periods as Ctrl-C, through `docker-compose stop`.
      note(`${label}: docker-compose up ended by itself (exit ${up.child.exitCode}); stopped its containers with docker-compose stop`);
      await compose('stop');
    }
    const states = await containerStates();
    expect(states.size).toBe(7);
    for (const [name, [state, code]] of states) {
      expect(state, name).toBe('exited');
      // The killed gateway exits 137 unless its restart policy brought it back before the stop.
      if (name !== victim) expect(cleanExit(name), `${name} exit code ${code} after its stop signal\n${up.output().slice(-3000)}`).toContain(code);
    }
  } finally {
    await interrupt(up);
    await compose('down', '--volumes', '--remove-orphans', '--timeout', '20');
  }
}

describe('docker compose and the Dockerfile, run in containers', () => {
  beforeAll(async () => {
    podman = await startPodmanService();
    const started = performance.now();
    await run('bash', [join(CONTAINERS_DIR, 'base-images.sh'), CACHE_DIR], { env: { ...process.env, ...podman.env }, maxBuffer: 64 * 1024 * 1024 });
    note(`base images (debootstrap + Debian packages, cached across runs): ${((performance.now() - started) / 1000).toFixed(0)} s`);
    // Leftovers of an interrupted run would hold the ports and names.
    await compose('down', '--volumes', '--remove-orphans', '--timeout', '5');
    stopHealthChecks = runHealthChecks(podman, `${PROJECT}_`);
  }, FIRST_UP_TIMEOUT_MS);

  afterAll(async () => {
    stopHealthChecks();
    if (podman) {
      await compose('down', '--volumes', '--remove-orphans', '--timeout', '5').catch(() => '');
      await podman.podman('rm', '--force', '--ignore', 'ssehubci-standalone').catch(() => '');
      // Build layers stay as the cache of the next run; a day-old unnamed one is no longer the current build.
      await podman.podman('image', 'prune', '--force', '--filter', 'until=24h').catch(() => '');
      await podman.stop();
    }
    console.log(`[containers]\n  ${figures.join('\n  ')}`);
  });

  it('docker compose up --build (Redis): contract through nginx, a gateway killed mid-stream, Ctrl-C drains every container', async () => {
    await clusterRun('redis', README_COMPOSE_COMMANDS.redis, 8080, FIRST_UP_TIMEOUT_MS);
  }, RUN_TIMEOUT_MS);

  it('builds every app image (and the k8s README\'s build) with nothing but what runs: package.json, dist*/ and node_modules', async () => {
    const started = performance.now();
    await run('podman', ['build', '--target', 'standalone', '-t', 'ssehub/standalone:local', '.'], { cwd: REPO_ROOT, env: { ...process.env, ...podman.env }, maxBuffer: 64 * 1024 * 1024 });
    note(`standalone image build (layers cached from compose's): ${((performance.now() - started) / 1000).toFixed(0)} s`);
    const k8sBuild = K8S_README_BUILD.replace('docker build', 'podman build').replace('<registry>', 'localhost');
    await run('bash', ['-c', k8sBuild], { cwd: REPO_ROOT, env: { ...process.env, ...podman.env }, maxBuffer: 64 * 1024 * 1024 });
    for (const image of [...APPS.map((app) => `ssehub/${app}:local`), 'localhost/ssehub/gateway:0.1.0']) {
      const list = await podman.podman('run', '--rm', image, 'sh', '-c', 'ls -A /app; for p in /app/node_modules/@ssehub/*/; do ls -A "$p"; done');
      const entries = new Set(list.split('\n').filter(Boolean));
      expect([...entries].filter((entry) => ['src', 'test', 'tests', 'tsconfig.json', 'vitest.config.ts', 'tsup.config.ts', 'pnpm-lock.yaml', '.turbo'].includes(entry)), image).toEqual([]);
      const top = (await podman.podman('run', '--rm', image, 'ls', '-A', '/app')).split('\n').filter(Boolean);
      expect(top.filter((entry) => !entry.startsWith('dist')).sort(), image).toEqual(['node_modules', 'package.json']);
      const size = Number(await podman.podman('image', 'inspect', '--format', '{{.Size}}', image));
      note(`${image}: ${(size / 1e6).toFixed(0)} MB`);
    }
    await podman.podman('rmi', 'localhost/ssehub/gateway:0.1.0');
  }, RUN_TIMEOUT_MS);

  it('the standalone image answers /healthz, delivers a published event, and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const name = 'ssehubci-standalone';
    await podman.podman('run', '-d', '--name', name, '-p', `127.0.0.1:${port}:8080`, 'ssehub/standalone:local');
    try {
      const url = `http://127.0.0.1:${port}`;
      const answers = (): Promise<boolean> => fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) }).then((r) => r.ok, () => false);
      await until(answers, 'the standalone image to answer /healthz', 30_000).catch(async (error: Error) => {
        throw new Error(`${error.message}:\n${await podman.podman('logs', name)}`);
      });
      await deliverThrough(url, 'rooms/standalone-image', async () => undefined);
      await podman.podman('stop', '--time', '20', name);
      expect(await podman.podman('inspect', '--format', '{{.State.ExitCode}}', name)).toBe('0\n');
    } finally {
      await podman.podman('rm', '--force', '--ignore', name);
    }
  }, RUN_TIMEOUT_MS);

  it('BROKER_URL=nats://nats:4222 docker compose up --build: the same over NATS JetStream', async () => {
    await clusterRun('nats', README_COMPOSE_COMMANDS.nats, 8080, RUN_TIMEOUT_MS);
  }, RUN_TIMEOUT_MS);

  it('PORT=9000 docker compose up --build: nginx on host port 9000, every stream through it, Ctrl-C drains', async () => {
    await clusterRun('port', README_COMPOSE_COMMANDS.port, 9000, RUN_TIMEOUT_MS, false);
  }, RUN_TIMEOUT_MS);
});
