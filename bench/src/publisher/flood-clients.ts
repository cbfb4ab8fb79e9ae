import { IpcChild } from '../ipc.js';
import type { FloodRequest, FloodResult } from './log-flood-protocol.js';

/** Sums the clients' answers to one flood. */
function total(floods: readonly FloodResult[]): FloodResult {
  const sum = (pick: (flood: FloodResult) => number): number => floods.reduce((acc, flood) => acc + pick(flood), 0);
  const firstError = floods.find((flood) => flood.firstError !== undefined)?.firstError;
  return {
    acked: sum((f) => f.acked),
    failed: sum((f) => f.failed),
    ...(firstError === undefined ? {} : { firstError }),
    elapsedMs: Math.max(...floods.map((f) => f.elapsedMs)),
    received: sum((f) => f.received),
    lost: sum((f) => f.lost),
    duplicates: sum((f) => f.duplicates),
    reordered: sum((f) => f.reordered),
  };
}

/** S7's client processes (as ingest nodes would be), each with its own broker connection and its share of the topics. */
export class FloodClients {
  private constructor(private readonly clients: readonly IpcChild[]) {}

  /** Forks `count` flood processes pinned to `cpus`. */
  static start(count: number, cpus: string): FloodClients {
    return new FloodClients(Array.from({ length: count }, () => IpcChild.start({ script: 'publisher/log-flood-process.js', cpus })));
  }

  get pids(): number[] {
    return this.clients.map((client) => client.pid);
  }

  /** Connects every client; each publishes and follows its own topics, so the one that numbers a topic checks its order. */
  async open(url: string, prefix: string, topics: readonly string[]): Promise<void> {
    await this.all((i) => ({ op: 'open', url, prefix, topics: topics.filter((_, t) => t % this.clients.length === i) }));
  }

  /** Every client publishes in a closed loop for `durationMs`; answers their sum. */
  async flood(concurrency: number, durationMs: number): Promise<FloodResult> {
    return total((await this.all(() => ({ op: 'flood', concurrency, durationMs }))) as FloodResult[]);
  }

  async close(): Promise<void> {
    await this.all(() => ({ op: 'close' }));
  }

  async stop(): Promise<void> {
    await Promise.all(this.clients.map((client) => client.stop()));
  }

  // Every client answers before the step goes on or fails, so none is stopped while it still answers.
  private async all(request: (index: number) => FloodRequest): Promise<unknown[]> {
    const answers = await Promise.allSettled(this.clients.map((client, i) => client.call(request(i))));
    const failed = answers.find((answer) => answer.status === 'rejected');
    if (failed) throw failed.reason;
    return answers.map((answer) => (answer as PromiseFulfilledResult<unknown>).value);
  }
}
