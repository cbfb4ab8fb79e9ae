import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'tsup';

/** Bundles `fixtures/publisher.ts` into a fresh directory of this package, so the backend clients resolve from it. */
export async function buildPublisherScript(): Promise<{ path: string; remove(): Promise<void> }> {
  const cache = join(import.meta.dirname, '..', '..', 'node_modules', '.cache');
  await mkdir(cache, { recursive: true });
  // A directory of its own per build: test files build in parallel, maybe in one process.
  const outDir = await mkdtemp(join(cache, 'ssehub-publisher-'));
  await build({
    entry: { publisher: join(import.meta.dirname, '..', 'fixtures', 'publisher.ts') },
    outDir,
    format: ['esm'],
    platform: 'node',
    target: 'node20',
    config: false,
    silent: true,
    dts: false,
    external: ['ioredis', '@nats-io/transport-node', '@nats-io/jetstream', '@ssehub/protocol'],
  });
  return { path: join(outDir, 'publisher.js'), remove: () => rm(outDir, { recursive: true, force: true }) };
}

/** A publisher process: connected once `ready` resolves, publishing after `go()`, finished when `done` resolves. */
export interface PublisherProcess {
  readonly ready: Promise<void>;
  go(): void;
  readonly done: Promise<string>;
}

/** Spawns the built publisher script; `done` rejects with its output when it fails. */
export function spawnPublisher(script: string, args: readonly string[]): PublisherProcess {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  let markReady = (): void => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    if (output.includes('ready\n')) markReady();
  });
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const done = new Promise<string>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(output) : reject(new Error(`${script} exited with ${code}:\n${output}`))));
  });
  return { ready: Promise.race([ready, done.then(() => undefined)]), go: () => child.stdin.end('go\n'), done };
}

/** Lets the publishers go together once every one is connected, and waits for all to finish. */
export async function runOnBarrier(publishers: readonly PublisherProcess[]): Promise<void> {
  await Promise.all(publishers.map((publisher) => publisher.ready));
  for (const publisher of publishers) publisher.go();
  await Promise.all(publishers.map((publisher) => publisher.done));
}
