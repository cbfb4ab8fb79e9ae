// A Docker API for docker-compose on a machine without Docker: Podman's API service on a socket of its own,
// with settings the test machine can honour (CONTAINERS_CONF). Health checks are run by this module, as
// Podman hands their timers to systemd, which a test machine need not have.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { requireBinary, until } from '@ssehub/testkit';

const run = promisify(execFile);

/** The Debian packages the container tests need, as one install line. */
export const CONTAINER_PACKAGES = 'podman runc iptables netavark aardvark-dns debootstrap docker-compose';

/** The most open files and processes a container may have: the test's own hard limits (nproc capped at 32768). */
async function hostLimits(): Promise<{ nofile: number; nproc: number }> {
  const { stdout } = await run('bash', ['-c', 'ulimit -Hn; ulimit -Hu']);
  const [nofile, nproc] = stdout.trim().split('\n').map((value) => (value === 'unlimited' ? Number.POSITIVE_INFINITY : Number(value)));
  return { nofile: Math.min(nofile!, 1_048_576), nproc: Math.min(nproc!, 32_768) };
}

/** Fails with the `apt-get install` line when a tool is missing. */
export function requireContainerTools(): void {
  for (const [binary, pkg] of [['podman', 'podman'], ['runc', 'runc'], ['debootstrap', 'debootstrap'], ['docker-compose', 'docker-compose'], ['iptables', 'iptables']]) {
    try {
      requireBinary(binary!, pkg!);
    } catch {
      throw new Error(`${binary} is not installed: run "apt-get install -y ${CONTAINER_PACKAGES}" (or bash .ci/run, which installs them)`);
    }
  }
}

/** A running Podman API service. */
export interface PodmanService {
  /** Environment for podman and docker-compose: CONTAINERS_CONF, DOCKER_HOST. */
  readonly env: Record<string, string>;
  /** The hard open-file limit every container gets. */
  readonly nofile: number;
  /** The hard process limit every container gets. */
  readonly nproc: number;
  /** Runs `podman ARGS…` with the service's settings; answers stdout. */
  podman(...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

/** Answers once GET /_ping on the socket does. */
async function waitForSocket(socketPath: string, service: ChildProcess, output: () => string): Promise<void> {
  const answers = (): Promise<boolean> => {
    if (service.exitCode !== null) throw new Error(`podman system service exited:\n${output()}`);
    return new Promise<boolean>((resolve) => {
      const req = request({ socketPath, path: '/_ping' }, (res) => resolve(res.statusCode === 200));
      req.once('error', () => resolve(false));
      req.end();
    });
  };
  await until(answers, `podman system service on ${socketPath}`, 30_000).catch((error: Error) => {
    throw new Error(`${error.message}:\n${output()}`);
  });
}

/** Starts `podman system service` on a socket in a temporary directory. */
export async function startPodmanService(): Promise<PodmanService> {
  requireContainerTools();
  const dir = await mkdtemp(join(tmpdir(), 'ssehub-podman-'));
  const { nofile, nproc } = await hostLimits();
  // crun fails on hosts with hybrid cgroups; the sandbox cannot raise limits above its own hard ones.
  const conf = [
    '[containers]',
    `default_ulimits = ["nofile=${nofile}:${nofile}", "nproc=${nproc}:${nproc}"]`,
    '[engine]',
    'runtime = "runc"',
    'events_logger = "file"',
    'cgroup_manager = "cgroupfs"',
    '[network]',
    'network_backend = "netavark"',
  ].join('\n');
  await writeFile(join(dir, 'containers.conf'), `${conf}\n`);
  const socketPath = join(dir, 'podman.sock');
  const env = { CONTAINERS_CONF: join(dir, 'containers.conf'), DOCKER_HOST: `unix://${socketPath}` };
  let log = '';
  const service = spawn('podman', ['system', 'service', '--time=0', `unix://${socketPath}`], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  service.stdout.on('data', (chunk: Buffer) => void (log += chunk.toString()));
  service.stderr.on('data', (chunk: Buffer) => void (log += chunk.toString()));
  await waitForSocket(socketPath, service, () => log);
  const podman = async (...args: string[]): Promise<string> =>
    (await run('podman', args, { env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 })).stdout;
  return {
    env,
    nofile,
    nproc,
    podman,
    async stop() {
      if (service.exitCode === null) {
        const exited = new Promise((resolve) => service.once('exit', resolve));
        service.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Runs the health check of every running container whose name starts with `prefix` at the interval the
 * container declares, as systemd's timer would for Podman: compose's `depends_on: condition:
 * service_healthy` waits on them. Answers a function that stops it.
 */
export function runHealthChecks(service: PodmanService, prefix: string): () => void {
  let stopped = false;
  const lastRun = new Map<string, number>();
  const intervalMs = new Map<string, number>();
  const tick = async (): Promise<void> => {
    const names = (await service.podman('ps', '--filter', `name=^${prefix}`, '--format', '{{.Names}}').catch(() => ''))
      .split('\n')
      .filter(Boolean);
    await Promise.all(
      names.map(async (name) => {
        if (!intervalMs.has(name)) {
          const ns = await service.podman('inspect', '--format', '{{if .Config.Healthcheck}}{{.Config.Healthcheck.Interval}}{{end}}', name).catch(() => '');
          intervalMs.set(name, ns.trim() ? Number(ns.trim()) / 1e6 : Number.POSITIVE_INFINITY);
        }
        if (Date.now() - (lastRun.get(name) ?? 0) < intervalMs.get(name)!) return;
        lastRun.set(name, Date.now());
        await service.podman('healthcheck', 'run', name).catch(() => '');
      }),
    );
    if (!stopped) setTimeout(() => void tick(), 500);
  };
  void tick();
  return () => void (stopped = true);
}
