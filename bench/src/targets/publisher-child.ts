import type { PublishResult } from '../harness/harness-protocol.js';
import { IpcChild } from '../ipc.js';
import type { PublishPlan } from '../publisher/pacer.js';

/** Options of {@link startPublisher}. */
export interface PublisherOptions {
  readonly cpus: string;
  /**
   * `nchan`: HTTP POST to `<url>/pub/<channel>`; `http`: POST `{topic, type, data}` to `<url>/v1/publish`
   * (ssehub's ingest or standalone, the yardsticks); `broker`: `broker.publish` over `BROKER_URL` = url;
   * `trusted`: `publishRequest` over `BROKER_URL` = url (a trusted backend).
   */
  readonly mode: 'nchan' | 'http' | 'broker' | 'trusted';
  readonly url: string;
  /** Key/subject prefix for the broker mode. */
  readonly prefix?: string;
}

/** A publisher process on the load generators' CPU. */
export interface Publisher {
  readonly pid: number;
  publish(plan: PublishPlan): Promise<PublishResult>;
  stop(): Promise<void>;
}

/** Starts a publisher process and waits until it can publish. */
export async function startPublisher(options: PublisherOptions): Promise<Publisher> {
  const child = IpcChild.start({
    script: 'publisher/publisher-process.js',
    cpus: options.cpus,
    env: { BENCH_PUBLISH_MODE: options.mode, BENCH_PUBLISH_URL: options.url, BENCH_PREFIX: options.prefix ?? 'bench' },
  });
  await child.call({ op: 'ready' });
  return {
    pid: child.pid,
    publish: (plan) => child.call<PublishResult>({ op: 'publish', plan }),
    stop: () => child.stop(),
  };
}
