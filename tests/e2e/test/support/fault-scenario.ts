// One fault scenario under load: 200 clients through nginx, 2,000 numbered events at a steady rate,
// a fault mid-stream, then every client checked by sequence number. Shared by the cluster fault suites.
import type { Cluster } from '@ssehub/cluster';
import { expect } from 'vitest';
import { checkDelivery, perfectDelivery, publishSteadily, type Ack } from './cluster-load.js';
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

/** With `onRefused`, failed publishes are counted and retried under the same Idempotency-Key. */
export interface PublishHooks {
  readonly onRefused?: (n: number, status: number) => void;
}

/** What a scenario measured. */
export interface ScenarioResult {
  readonly acks: Ack[];
  readonly clients: ResilientStream[];
  /** One line of figures for the test log. */
  readonly summary: string;
}

const uniqueTopic = (label: string): string => `rooms/${label}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

/** The `p`th percentile (0-100) of `values`, nearest rank; 0 for none. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function openClients(cluster: Cluster, topic: string): Promise<ResilientStream[]> {
  const clients: ResilientStream[] = [];
  // In batches, so 200 subscriptions do not all start in the same instant.
  for (let batch = 0; batch < CLIENTS; batch += 50) {
    const opening = Array.from({ length: Math.min(50, CLIENTS - batch) }, () => openResilientStream(cluster.url, topic));
    clients.push(...(await Promise.all(opening)));
  }
  return clients;
}

/** Opens the clients, publishes at a steady rate, runs `fault` at {@link FAULT_AT} and checks every client. */
export async function runScenario(cluster: Cluster, label: string, fault: () => Promise<void>, publish: PublishHooks = {}): Promise<ScenarioResult> {
  const topic = uniqueTopic(label);
  const clients = await openClients(cluster, topic);
  const started = performance.now();
  let faulted: Promise<void> | undefined;
  try {
    const acks = await publishSteadily({
      url: cluster.url,
      topic,
      count: EVENTS,
      ratePerS: RATE,
      concurrency: PUBLISHERS,
      maxAttempts: publish.onRefused ? 300 : 1,
      onRefused: publish.onRefused,
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
    await expectEveryClientComplete(cluster, topic, clients, acks);
    return { acks, clients, summary: summarize(cluster, clients, publishS, seconds) };
  } finally {
    for (const client of clients) client.close();
  }
}

async function expectEveryClientComplete(cluster: Cluster, topic: string, clients: readonly ResilientStream[], acks: readonly Ack[]): Promise<void> {
  const verdicts = clients.map((client) => ({ ...checkDelivery(client.delivered, acks), resets: client.resets(), nodes: client.nodes }));
  const failed = verdicts.filter((verdict) => verdict.received !== EVENTS || verdict.missing.length > 0 || verdict.duplicated.length > 0);
  const where = failed.length > 0 ? await inHistory(cluster, topic, acks, failed[0]!.missing) : '';
  expect(failed.length, `${failed.length} of ${clients.length} clients incomplete, e.g. ${JSON.stringify(failed[0])}; ${where}`).toBe(0);
  for (const verdict of verdicts) expect(verdict).toEqual({ ...perfectDelivery(EVENTS), resets: 0, nodes: verdict.nodes });
}

/** For a failure message: are the events a client missed in the broker's history (a delivery gap) or not (lost)? */
async function inHistory(cluster: Cluster, topic: string, acks: readonly Ack[], missing: readonly number[]): Promise<string> {
  const before = acks[(missing[0] ?? 1) - 1];
  if (!before) return 'nothing to look up';
  const url = `${cluster.url}/v1/topics/${encodeURIComponent(topic)}/history?after=${encodeURIComponent(before.id)}&limit=1000`;
  const page = (await (await fetch(url)).json()) as { events?: { data: { n: number } }[] };
  const stored = new Set((page.events ?? []).map((event) => event.data.n));
  return `${missing.filter((n) => stored.has(n)).length} of the first ${missing.length} missing are in the broker's history`;
}

function summarize(cluster: Cluster, clients: readonly ResilientStream[], publishS: number, seconds: number): string {
  const firstNodes = clients.map((client) => client.nodes[0]);
  const spread = cluster.gateways.map((gateway) => firstNodes.filter((node) => node === gateway.nodeId).length).join('/');
  const resumes = clients.flatMap((client) => client.resumeMs);
  const refusals = clients.reduce((sum, client) => sum + client.refusals(), 0);
  const deliveries = clients.reduce((sum, client) => sum + client.delivered.length, 0);
  return (
    `${EVENTS} events published in ${publishS.toFixed(1)} s (${(EVENTS / publishS).toFixed(0)}/s, aiming at ${RATE}/s) ` +
    `to ${clients.length} clients (${spread} on ${cluster.gateways.length} gateways): ` +
    `${deliveries} deliveries, 0 lost, 0 duplicated, 0 resets, all in by ${seconds.toFixed(1)} s; ` +
    `${resumes.length} reconnects (${refusals} refused first), resume p50 ${percentile(resumes, 50).toFixed(0)} ms, ` +
    `p99 ${percentile(resumes, 99).toFixed(0)} ms, max ${percentile(resumes, 100).toFixed(0)} ms`
  );
}
