import { IpcChild } from '../ipc.js';
import type { YardstickKind, YardstickRequest } from '../yardsticks/yardstick-process.js';
import { startPublisher } from './publisher-child.js';
import type { Target } from './target.js';

/** Options of {@link startYardstick}. */
export interface YardstickOptions {
  readonly kind: YardstickKind;
  /** CPUs of the yardstick server; unpinned when absent (S2). */
  readonly cpus?: string;
  readonly publisherCpus: string;
}

/** Target names of the yardsticks, as the report shows them. */
export const YARDSTICK_NAMES: Readonly<Record<YardstickKind, string>> = { bare: 'node:http yardstick', express: 'express 5 yardstick' };

/**
 * A yardstick server (bench/src/yardsticks) in its own process: the unavoidable work of a
 * notification on Node, published to over HTTP like ssehub's ingest.
 */
export async function startYardstick(options: YardstickOptions): Promise<Target> {
  const child = IpcChild.start({
    script: 'yardsticks/yardstick-process.js',
    ...(options.cpus === undefined ? {} : { cpus: options.cpus }),
    execArgv: ['--expose-gc'],
    env: { BENCH_YARDSTICK: options.kind },
  });
  const call = <T>(request: YardstickRequest): Promise<T> => child.call<T>(request);
  const port = await call<number>({ op: 'port' });
  const publisher = await startPublisher({ cpus: options.publisherCpus, mode: 'http', url: `http://127.0.0.1:${port}` });
  return {
    name: YARDSTICK_NAMES[options.kind],
    streams: (topicTemplate) => [{ host: '127.0.0.1', port, pathTemplate: `/v1/events?topic=${topicTemplate}` }],
    publish: (plan) => publisher.publish(plan),
    serverPids: () => [child.pid],
    brokerPids: () => [],
    publisherPids: () => [publisher.pid],
    settle: async () => void (await call({ op: 'gc' })),
    memoryUsage: () => call<NodeJS.MemoryUsage>({ op: 'memory' }),
    async stop() {
      await publisher.stop();
      await child.stop();
    },
  };
}
