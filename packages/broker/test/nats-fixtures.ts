import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'tsup';
import { expect } from 'vitest';
import type { Broker, StoredEvent, Subscription } from '../src/broker.js';

/** Builds the publisher fixture into a directory of this package, so the NATS client resolves from it. */
export async function buildNatsPublisher(): Promise<{ path: string; remove(): Promise<void> }> {
  const outDir = join(import.meta.dirname, '..', 'node_modules', '.cache', `ssehub-nats-${process.pid}`);
  await build({
    entry: { publisher: join(import.meta.dirname, 'fixtures', 'nats-publisher.ts') },
    outDir,
    format: ['esm'],
    platform: 'node',
    target: 'node20',
    config: false,
    silent: true,
    dts: false,
    external: ['@nats-io/transport-node', '@nats-io/jetstream', '@ssehub/protocol'],
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

/** What one test subscription received. */
export interface Collected {
  events: StoredEvent[];
  resets: string[];
  errors: Error[];
  subscription: Subscription;
}

let prefixCounter = 0;
/** A subject prefix (so a stream) no other test or process uses. */
export const uniquePrefix = (): string => `natsx${process.pid}x${Date.now().toString(36)}x${prefixCounter++}`;
/** [from, to) */
export const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);
/** Resolves after `ms`. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `condition` every 5 ms until it holds, or throws naming `what`. */
export async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** Subscribes and records everything the subscription receives. */
export async function collect(broker: Broker, topics: string[], after?: string): Promise<Collected> {
  const collected = { events: [] as StoredEvent[], resets: [] as string[], errors: [] as Error[] };
  const subscription = await broker.subscribe(
    { topics, after },
    {
      onEvent: (event) => collected.events.push(event),
      onReset: (reason) => collected.resets.push(reason),
      onError: (error) => collected.errors.push(error),
    },
  );
  return { ...collected, subscription };
}

/** The `n` each event carries in its data. */
export const numbers = (events: readonly StoredEvent[]): number[] => events.map((event) => (event.data as { n: number }).n);

/** Asserts strictly increasing positions: no duplicate, no reordering. */
export function expectIncreasing(events: readonly StoredEvent[]): void {
  for (let i = 1; i < events.length; i++) expect(events[i]!.seq).toBeGreaterThan(events[i - 1]!.seq);
}

/** Publishes `{ n }` for n in [from, to), one acknowledged publish after another. */
export async function publishNumbered(broker: Broker, topic: string, from: number, to: number): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  for (const n of range(from, to)) out.push(...(await broker.publish([{ topic, type: 'test.n', data: { n } }])));
  return out;
}

/** A publisher that publishes `{ n }` to one topic, one publish after another, until stopped. */
export interface PublishLoad {
  readonly acked: StoredEvent[];
  readonly rejected: { ms: number; error: unknown }[];
  stop(): Promise<void>;
}

/** Starts publishing until stopped, recording what was acknowledged and what was refused (and how fast). */
export function publishUntilStopped(broker: Broker, topic: string): PublishLoad {
  const acked: StoredEvent[] = [];
  const rejected: { ms: number; error: unknown }[] = [];
  let stopped = false;
  const running = (async () => {
    for (let n = 0; !stopped; n++) {
      const started = Date.now();
      try {
        acked.push(...(await broker.publish([{ topic, type: 'test.n', data: { n } }])));
      } catch (error) {
        rejected.push({ ms: Date.now() - started, error });
        await sleep(50);
      }
      await sleep(2);
    }
  })();
  return {
    acked,
    rejected,
    stop: () => {
      stopped = true;
      return running;
    },
  };
}

/** Waits for the last acknowledged event, then asserts the subscription got every one exactly once, in log order, intact. */
export async function expectEveryAcknowledgedOnce(sub: Collected, acked: readonly StoredEvent[], timeoutMs = 30_000): Promise<void> {
  const lastSeq = acked[acked.length - 1]!.seq;
  await until(() => sub.events.some((event) => event.seq >= lastSeq), 'the last acknowledged event to arrive', timeoutMs);
  expect(sub.errors).toEqual([]);
  expectIncreasing(sub.events);
  const received = new Map(sub.events.map((event) => [event.seq, event]));
  for (const event of acked) expect(received.get(event.seq)).toEqual(event);
}
