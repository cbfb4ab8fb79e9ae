import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireBinary } from './binaries.js';
import { startProcess, waitForPort, type RunningProcess } from './child-process.js';
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

async function spawnNats(binary: string, port: number, dir: string, args: readonly string[]): Promise<RunningProcess> {
  const child = startProcess(binary, ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', dir, ...args]);
  try {
    await waitForPort(port, 15_000, `nats-server on port ${port}`);
  } catch (error) {
    await child.kill();
    throw new Error(`nats-server did not start on port ${port}:\n${child.output()}`, { cause: error });
  }
  return child;
}

/** Starts `nats-server -js` on a free loopback port with a temp store dir; fails loudly when it is not installed. */
export async function startNats(options: StartNatsOptions = {}): Promise<NatsServer> {
  const binary = requireBinary('nats-server', 'nats-server');
  const port = options.port ?? (await freePort());
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'ssehub-nats-'));
  const args = options.args ?? [];
  let child = await spawnNats(binary, port, dir, args);
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
      child = await spawnNats(binary, port, dir, args);
    },
  };
}
