import cluster, { type Worker } from 'node:cluster';
import type { Logger } from '@ssehub/service-kit';
import { AggregatorRegistry, type Registry } from 'prom-client';
import { withGatewayV8Flags } from './v8-flags.js';

/** Seconds a worker that died waits before it is started again. @default 1 */
export const RESTART_DELAY_S = 1;
const METRICS_REQUEST = 'ssehub:cluster-metrics';

/** Options of {@link superviseWorkers}. */
export interface SuperviseOptions {
  readonly workers: number;
  /** Worker i runs as node `<nodeId>-<i>`: presence claims and ready frames stay per process. */
  readonly nodeId: string;
  readonly logger: Logger;
  /** Seconds the workers get to drain after SIGTERM before they are killed. */
  readonly drainTimeoutS: number;
}

/**
 * The cluster primary of a gateway node: it holds no streams and no broker connection. It forks
 * `workers` gateway processes sharing the port (the primary accepts and hands connections out
 * round-robin, which keeps long-lived streams evenly spread), starts a worker again when one dies,
 * forwards SIGTERM/SIGINT so every worker drains, and answers the workers' `/metrics` with the sum
 * over all of them.
 */
export function superviseWorkers(options: SuperviseOptions): void {
  cluster.setupPrimary({ execArgv: withGatewayV8Flags(process.execArgv) });
  const supervisor = new WorkerSupervisor(options);
  process.on('SIGTERM', () => supervisor.stop('SIGTERM'));
  process.on('SIGINT', () => supervisor.stop('SIGINT'));
  for (let index = 0; index < options.workers; index++) supervisor.fork(index);
  options.logger.info({ workers: options.workers }, 'gateway cluster primary started');
}

class WorkerSupervisor {
  private readonly aggregator = new AggregatorRegistry();
  private stopping = false;
  private exitCode = 0;

  constructor(private readonly options: SuperviseOptions) {}

  fork(index: number): void {
    const worker = cluster.fork({ NODE_ID: `${this.options.nodeId}-${index}` });
    let listening = false;
    worker.once('listening', () => (listening = true));
    worker.on('message', (message: { type?: string; id?: number }) => {
      if (message.type === METRICS_REQUEST) this.answerMetrics(worker, message.id);
    });
    worker.once('exit', (code, signal) => {
      if (this.stopping) return this.exitWhenAllGone();
      const { logger } = this.options;
      if (!listening) {
        // It never got going (port taken, bad environment): restarting would only loop.
        logger.fatal({ worker: index, code, signal }, 'gateway worker exited before it listened; stopping the node');
        return this.stop('worker failed', 1);
      }
      logger.error({ worker: index, code, signal }, 'gateway worker died; starting a new one');
      setTimeout(() => this.fork(index), RESTART_DELAY_S * 1000);
    });
  }

  stop(signal: string, code = 0): void {
    if (this.stopping) return;
    this.stopping = true;
    this.exitCode = code;
    this.options.logger.info({ signal }, 'stopping: every worker drains');
    for (const worker of this.workers()) worker.process.kill('SIGTERM');
    const kill = (): void => {
      for (const worker of this.workers()) worker.process.kill('SIGKILL');
    };
    setTimeout(kill, (this.options.drainTimeoutS + 5) * 1000).unref();
    this.exitWhenAllGone();
  }

  private answerMetrics(worker: Worker, id: number | undefined): void {
    this.aggregator.clusterMetrics().then(
      (text) => worker.isConnected() && worker.send({ type: METRICS_REQUEST, id, text }),
      (error: unknown) => worker.isConnected() && worker.send({ type: METRICS_REQUEST, id, error: String(error) }),
    );
  }

  private workers(): Worker[] {
    return Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => worker !== undefined);
  }

  private exitWhenAllGone(): void {
    if (this.workers().length === 0) process.exit(this.exitCode);
  }
}

/**
 * What a worker's `/metrics` reads: outside a cluster the registry itself; inside one, the primary's
 * sum over every worker's registry, so a scrape through the shared port sees the whole node.
 */
export function clusterMetricsSource(registry: Registry): Pick<Registry, 'metrics' | 'contentType'> {
  if (!cluster.isWorker) return registry;
  new AggregatorRegistry(); // installs the listener that answers the primary's collection requests
  AggregatorRegistry.setRegistries([registry]);
  const waiting = new Map<number, (reply: { text?: string; error?: string }) => void>();
  let nextId = 0;
  process.on('message', (message: { type?: string; id?: number; text?: string; error?: string }) => {
    if (message.type === METRICS_REQUEST && message.id !== undefined) waiting.get(message.id)?.(message);
  });
  return {
    contentType: registry.contentType,
    metrics: () =>
      new Promise<string>((resolve, reject) => {
        const id = nextId++;
        const timer = setTimeout(() => settle({ error: 'the cluster primary did not answer' }), 6000);
        function settle(reply: { text?: string; error?: string }): void {
          clearTimeout(timer);
          waiting.delete(id);
          if (reply.text !== undefined) resolve(reply.text);
          else reject(new Error(reply.error ?? 'no metrics'));
        }
        waiting.set(id, settle);
        process.send?.({ type: METRICS_REQUEST, id });
      }),
  };
}
