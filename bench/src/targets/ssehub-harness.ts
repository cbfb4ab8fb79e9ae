import { withGatewayV8Flags } from '@ssehub/gateway';
import type { HarnessRequest, PublishResult } from '../harness/harness-protocol.js';
import { IpcChild } from '../ipc.js';
import type { PublishPlan } from '../publisher/pacer.js';
import type { Target } from './target.js';

/** Options of {@link startSsehubHarness}. */
export interface HarnessOptions {
  readonly cpus: string;
  readonly env?: Record<string, string>;
  /** Publish through `publishRequest` (a trusted backend's path) instead of `broker.publish`. */
  readonly trusted?: boolean;
}

/** S5's name of the harness publishing through `publishRequest`. */
export const TRUSTED_IN_PROCESS = 'ssehub trusted backend (publishRequest in-process)';

/** One gateway over the memory broker in one process, publishing in-process (S1, S2 at 10,000, S3). */
export async function startSsehubHarness(options: HarnessOptions): Promise<Target> {
  // BENCH_NODE_ARGS (e.g. "--trace-gc" or "--perf-basic-prof") passes V8 flags to the server process.
  const execArgv = withGatewayV8Flags(['--expose-gc', ...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [])]);
  const env = options.trusted ? { ...options.env, BENCH_TRUSTED_PUBLISH: '1' } : options.env;
  const child = IpcChild.start({ script: 'harness/harness-process.js', cpus: options.cpus, execArgv, env });
  const call = <T>(request: HarnessRequest): Promise<T> => child.call<T>(request);
  const port = await call<number>({ op: 'port' });
  return {
    name: options.trusted ? TRUSTED_IN_PROCESS : 'ssehub',
    streams: (topicTemplate) => [{ host: '127.0.0.1', port, pathTemplate: `/v1/events?topic=${topicTemplate}` }],
    publish: (plan: PublishPlan) => call<PublishResult>({ op: 'publish', plan }),
    serverPids: () => [child.pid],
    brokerPids: () => [],
    settle: async () => void (await call({ op: 'gc' })),
    profile: {
      start: async () => void (await call({ op: 'profile-start' })),
      stop: (file) => call<string>({ op: 'profile-stop', file }),
    },
    memoryUsage: () => call<NodeJS.MemoryUsage>({ op: 'memory' }),
    stop: () => child.stop(),
  };
}
