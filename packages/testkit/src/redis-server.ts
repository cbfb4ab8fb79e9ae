import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireBinary } from './binaries.js';
import { startProcess, waitForPort, type RunningProcess } from './child-process.js';
import { freePort } from './free-port.js';
import { until } from './wait.js';

/** Options of {@link startRedis}. */
export interface StartRedisOptions {
  /** Turn the append-only file on, so acknowledged writes survive a restart. @default false */
  readonly appendonly?: boolean;
  /** How often the AOF is fsynced; `always` makes every acknowledged write survive `kill -9`. @default "always" */
  readonly appendfsync?: 'always' | 'everysec';
  /** Working directory (kept on stop); a fresh temp dir, removed on stop, by default. */
  readonly dir?: string;
  /** Port to listen on; a free one by default. */
  readonly port?: number;
  /** Extra redis-server arguments (e.g. cluster mode). */
  readonly args?: readonly string[];
}

/** A private redis-server a test started on a free port with a temp dir of its own. */
export interface RedisServer {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Its working directory (AOF files live here). */
  readonly dir: string;
  /** Stops it for good (SIGTERM) and deletes its directory when it was a temp one. */
  stop(): Promise<void>;
  /** kill -9, keeping its directory so {@link RedisServer.restart} finds the AOF again. */
  kill(): Promise<void>;
  /** Starts it again on the same port and directory (stopping it first if it runs); resolves once it answers PING. */
  restart(): Promise<void>;
  /** What it printed, for error messages. */
  output(): string;
}

/** Sends PING over a raw socket; true once the server answers +PONG (not -LOADING). */
function pingOnce(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
    socket.once('error', () => done(false));
  });
}

async function waitForPong(port: number, timeoutMs = 15_000): Promise<void> {
  await waitForPort(port, timeoutMs, `redis-server on port ${port}`);
  await until(() => pingOnce(port), `redis-server on port ${port} to answer PING`, timeoutMs);
}

/** Starts a private redis-server; fails loudly with the apt-get line when it is not installed. */
export async function startRedis(options: StartRedisOptions = {}): Promise<RedisServer> {
  const binary = requireBinary('redis-server', 'redis-server');
  const port = options.port ?? (await freePort());
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'ssehub-redis-')));
  const args = [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--dir', dir,
    '--save', '',
    '--daemonize', 'no',
    '--logfile', '',
    '--appendonly', options.appendonly ? 'yes' : 'no',
    '--appendfsync', options.appendfsync ?? 'always',
    ...(options.args ?? []),
  ];
  let running: RunningProcess | null = null;
  async function start(): Promise<void> {
    const child = startProcess(binary, args);
    running = child;
    try {
      await waitForPong(port);
    } catch (error) {
      await child.kill();
      throw new Error(`${(error as Error).message}\n${child.output()}`);
    }
  }
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    async stop() {
      await running?.stop();
      if (ownDir) await rm(dir, { recursive: true, force: true });
    },
    kill: async () => running?.kill(),
    async restart() {
      await running?.stop();
      await start();
    },
    output: () => running?.output() ?? '',
  };
}
