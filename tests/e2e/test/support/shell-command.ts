// Runs a command line the way a person types it: `sh -c "<command>"` from the repository root, in a
// process group of its own, so stopping it reaches pnpm, turbo and the app they started.
import { spawn, type ChildProcess } from 'node:child_process';
import { REPO_ROOT } from './standalone.js';

/** A command line a test started. */
export interface ShellCommand {
  readonly child: ChildProcess;
  /** What it printed so far (stdout and stderr, the last 200 KB). */
  output(): string;
  /** Its stdout alone (the last 200 KB): what a command's answer is, without progress on stderr. */
  stdout(): string;
  /** Resolves with its exit code once `sh` ended. */
  readonly exited: Promise<number | null>;
  /** Resolves when `predicate` holds for the output; rejects when the command exits first or after `timeoutMs`. */
  waitForOutput(predicate: (output: string) => boolean, what: string, timeoutMs?: number): Promise<void>;
  /** Signals the whole process group (SIGINT, as Ctrl-C does), then SIGKILL after `graceMs`; resolves when `sh` exited. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
}

/** How much output a command keeps for assertions and error messages. @default 200000 */
const OUTPUT_LIMIT = 200_000;

/** Starts `command` with `env` added to this process's environment. */
export function runShell(command: string, env: Record<string, string> = {}): ShellCommand {
  const child = spawn('sh', ['-c', command], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  let stdout = '';
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-OUTPUT_LIMIT);
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout = (stdout + chunk.toString()).slice(-OUTPUT_LIMIT);
  });
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  function signalGroup(signal: NodeJS.Signals): void {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // the group is gone already
    }
  }

  return {
    child,
    output: () => output,
    stdout: () => stdout,
    exited,
    waitForOutput(predicate, what, timeoutMs = 120_000) {
      return new Promise((resolve, reject) => {
        const done = (error?: Error): void => {
          listeners.delete(check);
          clearTimeout(timer);
          if (error) reject(error);
          else resolve();
        };
        const check = (): void => {
          if (predicate(output)) done();
        };
        const timer = setTimeout(() => done(new Error(`timed out waiting for ${what} from "${command}":\n${output.slice(-4000)}`)), timeoutMs);
        void exited.then((code) => {
          if (!predicate(output)) done(new Error(`"${command}" exited (${code}) before ${what}:\n${output.slice(-4000)}`));
        });
        listeners.add(check);
        check();
      });
    },
    async stop(signal = 'SIGINT', graceMs = 15_000) {
      signalGroup(signal);
      const timer = setTimeout(() => signalGroup('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      // pnpm may exit before the app it started: whatever is left of the group goes too.
      signalGroup('SIGKILL');
    },
  };
}

/** The JSON log lines in a command's output (pnpm and turbo print other lines around them). */
export function jsonLogLines(output: string): Record<string, unknown>[] {
  const lines: Record<string, unknown>[] = [];
  for (const line of output.split('\n')) {
    // turbo prefixes each line of a task with "<package>:<task>: ".
    const start = line.indexOf('{"level"');
    if (start < 0) continue;
    try {
      lines.push(JSON.parse(line.slice(start)) as Record<string, unknown>);
    } catch {
      // a line cut by the output limit
    }
  }
  return lines;
}
