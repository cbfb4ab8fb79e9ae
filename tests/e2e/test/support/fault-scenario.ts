// One fault scenario under load: 200 clients through nginx, 2,000 numbered events at a steady rate over
// one topic or K, a fault mid-stream, then every client checked by sequence number per topic. Shared by
// the cluster fault suites.
import type { Cluster } from '@ssehub/cluster';
import { partitionOf } from '@ssehub/protocol';
import { expect } from 'vitest';
import { publishSteadily } from './cluster-load.js';
import { checkDelivery, perfectDelivery, type Ack } from './delivery-check.js';
import { openResilientStream, type ResilientStream } from './resilient-sse.js';

/** Clients streaming through nginx. @default 200 */
export const CLIENTS = 200;
/** Events published per scenario. @default 2000 */
export const EVENTS = 2000;
/** Events per second the publisher aims at. @default 200 */
export const RATE = 200;
/** Publishes in flight at once, so the rate holds while round trips are slow on busy cores. @default 4 */
export const PUBLISHERS = 4;
/** The fault starts once this event was acknowledged ("mid-stream"). @default 500 */
export const FAULT_AT = 500;
/** Base `retry:` the gateways send (each connection adds up to 50% jitter). @default 250 */
export const RETRY_MS = 250;
/** Per scenario: opening the clients, the publishing, the fault and the catch-up, on 2 busy cores. @default 150000 */
export const SCENARIO_TIMEOUT_MS = 150_000;

/**
 * The environment of a fault-test cluster. One test process publishes everything, faster than the
 * default per-IP rate allows; the topic's history holds the whole run, because "zero loss" is the
 * contract only while a resume stays within retention (past it, the contract is an ssehub.reset).
 */
export const FAULT_CLUSTER_ENV: Readonly<Record<string, string>> = Object.freeze({
  LOG_LEVEL: 'warn',
  RETRY_MS: String(RETRY_MS),
  PUBLISH_RATE_PER_S: '0',
  HISTORY_MAX_PER_TOPIC: String(EVENTS * 2),
});

/** How a scenario publishes, and over which topics. */
export interface ScenarioOptions {
  /** With it, failed publishes are counted and retried under the same Idempotency-Key. */
  readonly onRefused?: (n: number, status: number) => void;
  /** Topics K: event `n` goes to topic `n % K`, and each client streams all K in one connection. @default 1 */
  readonly topics?: number;
  /** The log's partitions P (`?partitions=` of the cluster): the K topics are picked in K different ones. @default 1 */
  readonly partitions?: number;
}

/** What a scenario measured. */
export interface ScenarioResult {
  readonly acks: Ack[];
  readonly topics: string[];
  readonly clients: ResilientStream[];
  /** One line of figures for the test log. */
  readonly summary: string;
}

const uniqueTopic = (label: string): string => `rooms/${label}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

/**
 * `count` fresh topics for a scenario, each in its own partition of `partitions` (any topics on one log),
 * so a stream over them spans that many partitions and its ids carry that many positions.
 */
export function scenarioTopics(label: string, count: number, partitions: number): string[] {
  if (count === 1) return [uniqueTopic(label)];
  if (partitions > 1 && count > partitions) throw new Error(`${count} topics cannot lie in different partitions of ${partitions}`);
  const base = uniqueTopic(label);
  const byPartition = new Map<number, string>();
  for (let i = 0; byPartition.size < count; i += 1) {
    const topic = `${base}-${i}`;
    const partition = partitions > 1 ? partitionOf(topic, partitions) : i;
    if (!byPartition.has(partition)) byPartition.set(partition, topic);
  }
  return [...byPartition.values()];
}

/** The `p`th percentile (0-100) of `values`, nearest rank; 0 for none. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function openClients(cluster: Cluster, topics: readonly string[]): Promise<ResilientStream[]> {
  const clients: ResilientStream[] = [];
  // In batches, so 200 subscriptions do not all start in the same instant.
  for (let batch = 0; batch < CLIENTS; batch += 50) {
    const opening = Array.from({ length: Math.min(50, CLIENTS - batch) }, () => openResilientStream(cluster.url, topics));
    clients.push(...(await Promise.all(opening)));
  }
  return clients;
}

/** Opens the clients, publishes at a steady rate, runs `fault` at {@link FAULT_AT} and checks every client. */
export async function runScenario(cluster: Cluster, label: string, fault: () => Promise<void>, options: ScenarioOptions = {}): Promise<ScenarioResult> {
  const partitions = options.partitions ?? 1;
  const topics = scenarioTopics(label, options.topics ?? 1, partitions);
  const clients = await openClients(cluster, topics);
  const started = performance.now();
  let faulted: Promise<void> | undefined;
  try {
    const acks = await publishSteadily({
      url: cluster.url,
      topic: topics,
      count: EVENTS,
      ratePerS: RATE,
      concurrency: PUBLISHERS,
      maxAttempts: options.onRefused ? 300 : 1,
      onRefused: options.onRefused,
      onAck: (ack) => {
        if (ack.n !== FAULT_AT) return;
        faulted = fault();
        faulted.catch(() => undefined);
      },
    });
    const publishS = (performance.now() - started) / 1000;
    await faulted;
    // A client that never completes fails below with what it missed, not with a bare timeout.
    await Promise.allSettled(clients.map((client) => client.waitForCount(EVENTS, 60_000)));
    const seconds = (performance.now() - started) / 1000;
    await expectEveryClientComplete(cluster, clients, acks);
    const over = topics.length > 1 ? ` over ${topics.length} topics (partitions ${topics.map((topic) => partitionOf(topic, partitions)).join(', ')} of ${partitions})` : '';
    return { acks, topics, clients, summary: summarize(cluster, clients, over, publishS, seconds) };
  } finally {
    for (const client of clients) client.close();
  }
}

async function expectEveryClientComplete(cluster: Cluster, clients: readonly ResilientStream[], acks: readonly Ack[]): Promise<void> {
  const verdicts = clients.map((client) => ({ ...checkDelivery(client.delivered, acks), resets: client.resets(), nodes: client.nodes }));
  const failed = verdicts.filter((verdict) => verdict.received !== EVENTS || verdict.missing.length > 0 || verdict.duplicated.length > 0);
  const where = failed.length > 0 ? await inHistory(cluster, acks, failed[0]!.missing) : '';
  expect(failed.length, `${failed.length} of ${clients.length} clients incomplete, e.g. ${JSON.stringify(failed[0])}; ${where}`).toBe(0);
  for (const verdict of verdicts) expect(verdict).toEqual({ ...perfectDelivery(EVENTS), resets: 0, nodes: verdict.nodes });
}

/**
 * For a failure message: are the events a client missed on the topic of its first missed event in the
 * broker's history (a delivery gap) or not (lost)?
 */
async function inHistory(cluster: Cluster, acks: readonly Ack[], missing: readonly number[]): Promise<string> {
  const first = missing[0];
  const topic = acks.find((ack) => ack.n === first)?.topic;
  const before = first === undefined ? undefined : acks.filter((ack) => ack.topic === topic && ack.n < first).at(-1);
  if (!topic || !before) return 'nothing to look up';
  const url = `${cluster.url}/v1/topics/${encodeURIComponent(topic)}/history?after=${encodeURIComponent(before.id)}&limit=1000`;
  const page = (await (await fetch(url)).json()) as { events?: { data: { n: number } }[] };
  const stored = new Set((page.events ?? []).map((event) => event.data.n));
  const onTopic = missing.filter((n) => acks.find((ack) => ack.n === n)?.topic === topic);
  return `${onTopic.filter((n) => stored.has(n)).length} of the first ${onTopic.length} missing on ${topic} are in the broker's history`;
}

function summarize(cluster: Cluster, clients: readonly ResilientStream[], over: string, publishS: number, seconds: number): string {
  const firstNodes = clients.map((client) => client.nodes[0]);
  const spread = cluster.gateways.map((gateway) => firstNodes.filter((node) => node === gateway.nodeId).length).join('/');
  const resumes = clients.flatMap((client) => client.resumeMs);
  const refusals = clients.reduce((sum, client) => sum + client.refusals(), 0);
  const deliveries = clients.reduce((sum, client) => sum + client.delivered.length, 0);
  return (
    `${EVENTS} events published${over} in ${publishS.toFixed(1)} s (${(EVENTS / publishS).toFixed(0)}/s, aiming at ${RATE}/s) ` +
    `to ${clients.length} clients (${spread} on ${cluster.gateways.length} gateways): ` +
    `${deliveries} deliveries, 0 lost, 0 duplicated, 0 resets, all in by ${seconds.toFixed(1)} s; ` +
    `${resumes.length} reconnects (${refusals} refused first), resume p50 ${percentile(resumes, 50).toFixed(0)} ms, ` +
    `p99 ${percentile(resumes, 99).toFixed(0)} ms, max ${percentile(resumes, 100).toFixed(0)} ms`
  );
}
