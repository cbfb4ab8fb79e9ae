// Faults under load, over Redis and over NATS: 200 clients through nginx over 3 gateways while 2,000
// numbered events are published at a steady rate; a gateway is killed, all are restarted in turn, or
// the broker goes away. Every client must end with every acknowledged event, once each, in order.
import { startCluster, type BrokerKind, type Cluster } from '@ssehub/cluster';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDelivery, perfectDelivery, publishSteadily, type Ack } from './support/cluster-load.js';
import { openResilientStream, type ResilientStream } from './support/resilient-sse.js';

const CLIENTS = 200;
const EVENTS = 2000;
/** Events per second: the run lasts EVENTS / RATE seconds. */
const RATE = 200;
/** Publishes in flight at once, so the rate holds while round trips are slow on busy cores. */
const PUBLISHERS = 4;
/** The fault starts once this many events were acknowledged ("mid-stream"). */
const FAULT_AT = 500;
/** How long the broker stays away. */
const OUTAGE_MS = 1500;
/** Base `retry:` the gateways send (each connection adds up to 50% jitter). */
const RETRY_MS = 250;
/** Per scenario: opening the clients, the publishing, the fault and the catch-up, on 2 busy cores. */
const SCENARIO_TIMEOUT_MS = 150_000;

const uniqueTopic = (label: string): string => `rooms/${label}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** What a scenario tells the publisher; with `onRefused`, failed publishes are retried (same Idempotency-Key). */
interface PublishHooks {
  readonly onRefused?: (n: number, status: number) => void;
}

/** What a scenario measured, for the assertions and the log line. */
interface ScenarioResult {
  readonly acks: Ack[];
  readonly clients: ResilientStream[];
  readonly seconds: number;
  readonly summary: string;
}

describe.each<BrokerKind>(['redis', 'nats'])('faults over %s', (broker) => {
  let cluster: Cluster;

  beforeAll(async () => {
    // KEEP_CLUSTER=1 keeps .cluster/<name>/ (every process's log) for a look after a failure.
    const keep = process.env.KEEP_CLUSTER === '1';
    // One test process publishes everything, faster than the default per-IP publish rate allows. The
    // topic's history holds the whole run: "zero loss" is the contract only while a resume stays within
    // retention (past it, the contract is an ssehub.reset).
    const env = { LOG_LEVEL: 'warn', RETRY_MS: String(RETRY_MS), PUBLISH_RATE_PER_S: '0', HISTORY_MAX_PER_TOPIC: String(EVENTS * 2) };
    cluster = await startCluster({ broker, gateways: 3, keep, env });
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  /** Opens the clients through nginx, publishes at a steady rate, runs `fault` at FAULT_AT, checks every client. */
  async function runScenario(label: string, fault: () => Promise<void>, publish: PublishHooks = {}): Promise<ScenarioResult> {
    const topic = uniqueTopic(label);
    const clients: ResilientStream[] = [];
    // In batches, so 200 subscriptions do not all start in the same instant.
    for (let batch = 0; batch < CLIENTS; batch += 50) {
      const opening = Array.from({ length: Math.min(50, CLIENTS - batch) }, () => openResilientStream(cluster.url, topic));
      clients.push(...(await Promise.all(opening)));
    }
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
      const verdicts = clients.map((client) => ({ ...checkDelivery(client.delivered, acks), resets: client.resets(), nodes: client.nodes }));
      const failed = verdicts.filter((verdict) => verdict.received !== EVENTS || verdict.missing.length > 0 || verdict.duplicated.length > 0);
      const where = failed.length > 0 ? await inHistory(topic, acks, failed[0]!.missing) : '';
      expect(failed.length, `${failed.length} of ${clients.length} clients incomplete, e.g. ${JSON.stringify(failed[0])}; ${where}`).toBe(0);
      for (const verdict of verdicts) expect(verdict).toEqual({ ...perfectDelivery(EVENTS), resets: 0, nodes: verdict.nodes });
      return { acks, clients, seconds, summary: summarize(clients, publishS, seconds) };
    } finally {
      for (const client of clients) client.close();
    }
  }

  /** For a failure message: are the events a client missed in the broker's history (a delivery gap) or not (lost)? */
  async function inHistory(topic: string, acks: readonly Ack[], missing: readonly number[]): Promise<string> {
    const before = acks[(missing[0] ?? 1) - 1];
    if (!before) return 'nothing to look up';
    const url = `${cluster.url}/v1/topics/${encodeURIComponent(topic)}/history?after=${encodeURIComponent(before.id)}&limit=1000`;
    const page = (await (await fetch(url)).json()) as { events?: { data: { n: number } }[] };
    const stored = new Set((page.events ?? []).map((event) => event.data.n));
    const found = missing.filter((n) => stored.has(n));
    return `${found.length} of the first ${missing.length} missing are in the broker's history`;
  }

  function summarize(clients: readonly ResilientStream[], publishS: number, seconds: number): string {
    const firstNodes = clients.map((client) => client.nodes[0]);
    const spread = cluster.gateways.map((gateway) => firstNodes.filter((node) => node === gateway.nodeId).length).join('/');
    const resumes = clients.flatMap((client) => client.resumeMs);
    const refusals = clients.reduce((sum, client) => sum + client.refusals(), 0);
    return (
      `${EVENTS} events published in ${publishS.toFixed(1)} s (${(EVENTS / publishS).toFixed(0)}/s, aiming at ${RATE}/s) ` +
      `to ${clients.length} clients (${spread} on ${cluster.gateways.length} gateways): ` +
      `${clients.reduce((sum, client) => sum + client.delivered.length, 0)} deliveries, 0 lost, 0 duplicated, 0 resets, all in by ${seconds.toFixed(1)} s; ` +
      `${resumes.length} reconnects (${refusals} refused first), resume p50 ${percentile(resumes, 50).toFixed(0)} ms, ` +
      `p99 ${percentile(resumes, 99).toFixed(0)} ms, max ${percentile(resumes, 100).toFixed(0)} ms`
    );
  }

  it('kill -9 of a gateway mid-stream: its clients resume on the others through nginx, nothing lost or repeated', async () => {
    const victim = cluster.gateways[1]!;
    const result = await runScenario('kill', () => victim.kill());
    const onVictim = result.clients.filter((client) => client.nodes[0] === victim.nodeId);
    expect(onVictim.length).toBeGreaterThan(0);
    for (const client of onVictim) expect(client.nodes.slice(1)).not.toContain(victim.nodeId);
    console.log(`[${broker}] kill -9 ${victim.nodeId} at event ${FAULT_AT}: ${result.summary}`);
    await victim.restart();
  }, SCENARIO_TIMEOUT_MS);

  it('rolling restart (SIGTERM each gateway in turn, drain with jittered retry): nothing lost or repeated', async () => {
    const result = await runScenario('rolling', async () => {
      for (const gateway of cluster.gateways) await gateway.restart();
    });
    // Every client was on a node that restarted, so every client resumed at least once.
    for (const client of result.clients) expect(client.resumeMs.length).toBeGreaterThan(0);
    console.log(`[${broker}] rolling SIGTERM restart of ${cluster.gateways.length} gateways from event ${FAULT_AT}: ${result.summary}`);
  }, SCENARIO_TIMEOUT_MS);

  it('broker restart mid-stream: publishes in the outage get 503, never a false 201, and every acknowledged event reaches every client', async () => {
    const refused = new Map<number, number>();
    let outageMs = 0;
    const result = await runScenario(
      'broker',
      async () => {
        const down = performance.now();
        await cluster.broker.kill();
        await sleep(OUTAGE_MS);
        await cluster.broker.restart();
        outageMs = performance.now() - down;
      },
      { onRefused: (_, status) => refused.set(status, (refused.get(status) ?? 0) + 1) },
    );
    // Refusals are all 503 (no 500, no timeout); the retries carried the same Idempotency-Key.
    expect([...refused.keys()]).toEqual([503]);
    console.log(
      `[${broker}] ${broker} kill -9 + restart at event ${FAULT_AT} (down ${outageMs.toFixed(0)} ms): ` +
        `${refused.get(503)} publish attempts answered 503 and were retried; ${result.summary}`,
    );
  }, SCENARIO_TIMEOUT_MS);
});
