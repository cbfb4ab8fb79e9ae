import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { connect } from 'node:net';
import { until } from './wait.js';

/** A server process a test started; stop it in afterAll/afterEach. */
export interface RunningProcess {
  readonly child: ChildProcess;
  /** Everything it printed, for error messages. */
  output(): string;
  /** SIGTERM (or the given signal), then SIGKILL after `graceMs`; resolves when it exited. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
  /** kill -9, without waiting for a clean shutdown. */
  kill(): Promise<void>;
}

/** Spawns a process and records its output. */
export function startProcess(command: string, args: readonly string[], options: SpawnOptions = {}): RunningProcess {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  let output = '';
  const append = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  async function stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
  return { child, output: () => output, stop, kill: () => stop('SIGKILL', 0) };
}

/** Resolves once something accepts TCP connections on the port, or rejects after `timeoutMs`. */
export async function waitForPort(port: number, timeoutMs = 15_000, describe = `port ${port}`): Promise<void> {
  const isOpen = (): Promise<boolean> =>
    new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
  await until(isOpen, describe, timeoutMs);
}

/** Polls an HTTP URL until it answers 200. */
export async function waitForHttp(url: string, timeoutMs = 15_000): Promise<void> {
  // Not up yet is a refused connection or a non-200 answer: both mean ask again.
  const answers = (): Promise<boolean> => fetch(url).then((response) => response.ok, () => false);
  await until(answers, `${url} to answer 200`, timeoutMs);
}
