import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

interface Envelope {
  readonly id: number;
  readonly body?: unknown;
  readonly result?: unknown;
  readonly error?: string;
}

/** Child side: answers every request from the parent with `handle`'s result. */
export function serveIpc(handle: (body: never) => unknown): void {
  process.on('message', (message: Envelope) => {
    Promise.resolve()
      .then(() => handle(message.body as never))
      .then(
        (result) => process.send?.({ id: message.id, result }),
        (error: unknown) => process.send?.({ id: message.id, error: error instanceof Error ? error.stack : String(error) }),
      );
  });
  process.on('disconnect', () => process.exit(0));
}

/** Options of {@link startChild}. */
export interface ChildOptions {
  /** Script next to this bundle, e.g. `loadgen/loadgen-process.js`. */
  readonly script: string;
  /** CPUs to pin it to (`taskset -c`), e.g. "1". */
  readonly cpus?: string;
  readonly env?: Record<string, string>;
  readonly execArgv?: readonly string[];
}

/** A forked bench process that answers requests over IPC. */
export class IpcChild {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  private exited = false;

  private constructor(readonly process: ChildProcess) {
    process.on('message', (message: Envelope) => {
      const waiter = this.waiting.get(message.id);
      this.waiting.delete(message.id);
      if (message.error !== undefined) waiter?.reject(new Error(message.error));
      else waiter?.resolve(message.result);
    });
    process.once('exit', (code) => {
      this.exited = true;
      for (const waiter of this.waiting.values()) waiter.reject(new Error(`bench child exited (${code})`));
      this.waiting.clear();
    });
  }

  get pid(): number {
    return this.process.pid!;
  }

  /** Forks a bench script and pins it (with all its threads) to `cpus`. */
  static start(options: ChildOptions): IpcChild {
    const path = fileURLToPath(new URL(options.script, import.meta.url));
    const child = fork(path, [], {
      env: { ...process.env, ...options.env },
      execArgv: [...(options.execArgv ?? [])],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    if (options.cpus !== undefined) pin(child.pid!, options.cpus);
    return new IpcChild(child);
  }

  call<T>(body: unknown): Promise<T> {
    if (this.exited) return Promise.reject(new Error('bench child already exited'));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.process.send({ id, body });
    });
  }

  /** Disconnects (the child exits on its own, writing a CPU profile if asked), killing it after a grace period. */
  async stop(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.process.once('exit', () => resolve()));
    this.process.disconnect();
    const timer = setTimeout(() => this.process.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

/** Pins a process and all its threads to `cpus`; quietly skipped where taskset is missing. */
export function pin(pid: number, cpus: string): void {
  try {
    execFileSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' });
  } catch {
    // No taskset: figures get noisier, nothing breaks.
  }
}
