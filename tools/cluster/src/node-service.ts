import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { startProcess, waitForHttp, type RunningProcess } from '@ssehub/testkit';
import { REPO_ROOT } from './paths.js';

/** How long a starting app may take to answer `/readyz`. @default 30000 */
export const READY_TIMEOUT_MS = 30_000;

/** Called when a process exits that nobody asked to stop. */
export type UnexpectedExitHandler = (name: string, code: number | null, signal: NodeJS.Signals | null) => void;

/** Options of {@link startNodeService}. */
export interface NodeServiceOptions {
  /** Service name, also its log file name (`gateway-1`, `ingest`, `web`). */
  readonly name: string;
  /** The built entry point it runs with `node`. */
  readonly entry: string;
  readonly port: number;
  /** Its environment on top of this process's (PORT is set from {@link port}). */
  readonly env: Readonly<Record<string, string>>;
  /** Directory for `<name>.log`. */
  readonly logDir: string;
  readonly onUnexpectedExit?: UnexpectedExitHandler;
}

/** One app process of a cluster, restartable on the same port. */
export interface NodeService {
  readonly name: string;
  readonly port: number;
  /** `http://127.0.0.1:<port>`, straight to this process (not through nginx). */
  readonly url: string;
  /** The process currently running (a new one after {@link restart}). */
  readonly process: RunningProcess;
  /** kill -9: no drain, open streams break. */
  kill(): Promise<void>;
  /** SIGTERM (the app drains), resolving once it exited. */
  stop(): Promise<void>;
  /** Stops it if it still runs, starts it again on the same port and waits until `/readyz` answers 200. */
  restart(): Promise<void>;
}

function spawnApp(options: NodeServiceOptions, onExit: (code: number | null, signal: NodeJS.Signals | null) => void): RunningProcess {
  const child = startProcess(process.execPath, [options.entry], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...options.env, PORT: String(options.port) },
  });
  const log = createWriteStream(join(options.logDir, `${options.name}.log`), { flags: 'a' });
  child.child.stdout?.pipe(log, { end: false });
  child.child.stderr?.pipe(log, { end: false });
  child.child.once('exit', onExit);
  child.child.once('close', () => log.end());
  return child;
}

/** Waits for `/readyz`, failing early (with the app's output) when the process dies first; kills it on failure. */
async function waitReady(name: string, url: string, running: RunningProcess): Promise<void> {
  const died = new Promise<never>((_, reject) => {
    running.child.once('exit', (code) => reject(new Error(`${name} exited with code ${code} before it was ready:\n${running.output()}`)));
  });
  try {
    await Promise.race([waitForHttp(`${url}/readyz`, READY_TIMEOUT_MS), died]);
  } catch (error) {
    await running.kill();
    throw new Error(`${name} did not get ready at ${url}/readyz:\n${running.output()}`, { cause: error });
  } finally {
    died.catch(() => undefined);
  }
}

/** Starts one app with `node <entry>` and resolves once its `/readyz` answers 200. */
export async function startNodeService(options: NodeServiceOptions): Promise<NodeService> {
  const url = `http://127.0.0.1:${options.port}`;
  // A process that dies while starting is reported by the error startNodeService throws instead.
  let expectingExit = true;
  const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
    if (!expectingExit) options.onUnexpectedExit?.(options.name, code, signal);
  };
  let running = spawnApp(options, onExit);
  const ready = async (): Promise<void> => {
    await waitReady(options.name, url, running);
    expectingExit = false;
  };
  await ready();

  async function halt(how: 'kill' | 'stop'): Promise<void> {
    expectingExit = true;
    await (how === 'kill' ? running.kill() : running.stop());
  }
  return {
    name: options.name,
    port: options.port,
    url,
    get process() {
      return running;
    },
    kill: () => halt('kill'),
    stop: () => halt('stop'),
    async restart() {
      await halt('stop');
      running = spawnApp(options, onExit);
      await ready();
    },
  };
}
