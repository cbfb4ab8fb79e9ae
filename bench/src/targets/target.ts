import type { PublishResult } from '../harness/harness-protocol.js';
import type { StreamTarget } from '../loadgen/loadgen-pool.js';
import type { PublishPlan } from '../publisher/pacer.js';

/** A server under test: where to subscribe, how to publish, which processes to measure. */
export interface Target {
  /** `ssehub`, `nchan`, `ssehub+redis`, ... */
  readonly name: string;
  /** One entry per server node; stream i goes to node i % length. */
  streams(topicTemplate: string): StreamTarget[];
  /** Publishes at the plan's rate, resolving once the last event was published. */
  publish(plan: PublishPlan): Promise<PublishResult>;
  /** The server's processes (with their children), whose CPU and RSS are measured. */
  serverPids(): number[];
  /** Other processes of the server side (Redis, NATS), measured apart. */
  brokerPids(): number[];
  /** The publisher process, when publishing is a process of its own (its CPU shows whether it set the limit). */
  publisherPids?(): number[];
  /** Collects garbage where it can (before a memory reading); a no-op elsewhere. */
  settle(): Promise<void>;
  /** Starts a V8 CPU profile of the server (Node targets only); `stop` writes it to `file`. */
  profile?: { start(): Promise<void>; stop(file: string): Promise<string> };
  /** The server's own view of its memory (Node targets only), to split RSS into heap and the rest. */
  memoryUsage?(): Promise<NodeJS.MemoryUsage>;
  stop(): Promise<void>;
}
