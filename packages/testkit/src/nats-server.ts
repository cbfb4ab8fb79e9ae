import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireBinary } from './binaries.js';
import { startProcess, waitForHttp, waitForPort, type RunningProcess } from './child-process.js';
import { freePort } from './free-port.js';

/** Options of {@link startNats}. */
export interface StartNatsOptions {
  /** Client port; a free one by default. */
  readonly port?: number;
  /** JetStream store directory; a fresh temp dir (removed on stop) by default. */
  readonly dir?: string;
  /** Extra command-line arguments for nats-server. */
  readonly args?: readonly string[];
}

/** A private nats-server with JetStream, started by a test. */
export interface NatsServer {
  /** `nats://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  /** JetStream store directory; it survives {@link NatsServer.restart}. */
  readonly dir: string;
  /** What the server printed, for error messages. */
  output(): string;
  /** SIGTERM, then removes the store dir when it was a temp one. */
  stop(): Promise<void>;
  /** kill -9 (the store dir stays, so {@link NatsServer.restart} can recover from it). */
  kill(): Promise<void>;
  /** Stops the server if it still runs and starts it again on the same port and store dir. */
  restart(): Promise<void>;
}

/** Start attempts when a port picked as free was taken meanwhile (tests of other packages run in parallel). */
const START_ATTEMPTS = 3;

async function launch(binary: string, port: number, args: readonly string[], readyUrl?: string): Promise<RunningProcess> {
  const child = startProcess(binary, ['-js', '-a', '127.0.0.1', '-p', String(port), ...args]);
  const exited = new Promise<never>((_, reject) => {
    child.child.once('exit', (code, signal) => reject(new Error(`nats-server exited (${signal ?? code})`)));
  });
  const ready = (async () => {
    await waitForPort(port, 15_000, `nats-server on port ${port}`);
    if (readyUrl) await waitForHttp(readyUrl, 30_000);
  })();
  exited.catch(() => {});
  ready.catch(() => {});
  try {
    // A server that dies at start (a port taken meanwhile) fails at once, not after the wait.
    await Promise.race([exited, ready]);
  } catch (error) {
    await child.kill();
    throw new Error(`nats-server did not start on port ${port}:\n${child.output()}`, { cause: error });
  }
  return child;
}

const portTaken = (error: unknown): boolean => error instanceof Error && error.message.includes('address already in use');

/** Runs `start` again while it fails because a port it picked was taken meanwhile. */
export async function withFreshPorts<T>(start: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (error) {
      if (attempt >= START_ATTEMPTS || !portTaken(error)) throw error;
    }
  }
}

/** Starts one nats-server; with `readyUrl`, resolves once that URL answers 200 (a cluster node's /healthz). */
export async function startServer(options: StartNatsOptions, readyUrl?: string): Promise<NatsServer> {
  const binary = requireBinary('nats-server', 'nats-server');
  const port = options.port ?? (await freePort());
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'ssehub-nats-'));
  const args = ['-sd', dir, ...(options.args ?? [])];
  let child = await launch(binary, port, args, readyUrl);
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    dir,
    output: () => child.output(),
    async stop() {
      await child.stop();
      if (ownDir) rmSync(dir, { recursive: true, force: true });
    },
    kill: () => child.kill(),
    async restart() {
      await child.stop();
      child = await launch(binary, port, args, readyUrl);
    },
  };
}

/** Starts `nats-server -js` on a free loopback port with a temp store dir; fails loudly when it is not installed. */
export function startNats(options: StartNatsOptions = {}): Promise<NatsServer> {
  return options.port === undefined ? withFreshPorts(() => startServer(options)) : startServer(options);
}
