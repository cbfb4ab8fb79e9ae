// The cluster topology end to end: 2 gateways, ingest and web behind the real nginx config, over a
// real Redis and a real NATS. Every client's deliveries are checked by sequence number.
import { startCluster, type BrokerKind, type Cluster } from '@ssehub/cluster';
import type { SseTestClient } from '@ssehub/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveredOn, openLiveStream, publishEvent, publishSteadily, servingNode } from './support/cluster-load.js';
import { checkDelivery, perfectDelivery, type Delivered } from './support/delivery-check.js';

/** Clients that stream through nginx for the whole run. */
const CLIENTS = 20;
/** Events published through nginx. */
const EVENTS = 500;
/** Publish rate, events per second (the run takes EVENTS / RATE seconds). */
const RATE = 125;
/** The leaving client disconnects after this many events and stays away for {@link AWAY_MS}. */
const LEAVE_AFTER = 150;
const AWAY_MS = 400;

const uniqueTopic = (label: string): string => `rooms/${label}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

describe.each<BrokerKind>(['redis', 'nats'])('cluster over %s behind nginx', (broker) => {
  let cluster: Cluster;
  const opened: SseTestClient[] = [];

  beforeAll(async () => {
    // One test process publishes everything, faster than the default per-IP publish rate allows.
    cluster = await startCluster({ broker, gateways: 2, env: { LOG_LEVEL: 'warn', PUBLISH_RATE_PER_S: '0' } });
  });

  afterAll(async () => {
    for (const client of opened) client.close();
    await cluster?.stop();
  });

  async function open(baseUrl: string, topic: string, headers: Record<string, string> = {}): Promise<SseTestClient> {
    const client = await openLiveStream(baseUrl, topic, headers);
    opened.push(client);
    return client;
  }

  it('routes /healthz to nginx itself, / to web and unknown /v1/ paths to ingest, all as JSON or HTML as expected', async () => {
    const health = await fetch(`${cluster.url}/healthz`);
    expect(await health.json()).toEqual({ status: 'ok', service: 'nginx' });
    const page = await fetch(`${cluster.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const missing = await fetch(`${cluster.url}/v1/nothing-here`);
    expect(missing.status).toBe(404);
    expect((await missing.json()) as unknown).toMatchObject({ error: { code: 'not_found' } });
  });

  it('passes each event through at once, unbuffered and uncompressed, while the stream stays open', async () => {
    const topic = uniqueTopic('unbuffered');
    const client = await open(cluster.url, topic, { 'accept-encoding': 'gzip, br' });
    expect(client.headers['content-type']).toContain('text/event-stream');
    expect(client.headers['content-encoding']).toBeUndefined();
    const sent = performance.now();
    expect((await publishEvent(cluster.url, topic, 0)).status).toBe(201);
    await client.waitFor((c) => deliveredOn(c, topic).length === 1, 'the one event', 2000);
    const latencyMs = performance.now() - sent;
    // Still open: the same stream carries the next event too (waitFor fails if the stream ended).
    expect((await publishEvent(cluster.url, topic, 1)).status).toBe(201);
    await client.waitFor((c) => deliveredOn(c, topic).length === 2, 'the next event on the same stream');
    console.log(`[${broker}] one event through nginx: publish to delivery ${latencyMs.toFixed(1)} ms, stream still open`);
  });

  const title = `delivers ${EVENTS} events to ${CLIENTS} clients through nginx: none lost, none twice, the same order on both gateways, and a resume gets exactly what it missed`;
  it(title, async () => {
    const topic = uniqueTopic('basic');
    const clients = await Promise.all(Array.from({ length: CLIENTS }, () => open(cluster.url, topic)));
    const nodes = clients.map(servingNode);
    // Round robin: both gateways serve some of the clients that came through nginx.
    for (const gateway of cluster.gateways) expect(nodes).toContain(gateway.nodeId);
    const [pinnedA, pinnedB] = await Promise.all(cluster.gatewayUrls.map((url) => open(url, topic)));
    const leaver = await open(cluster.url, topic);

    let left: Promise<{ firstSession: Delivered[]; resumed: SseTestClient; resumeMs: number }> | undefined;
    const started = performance.now();
    const acks = await publishSteadily({
      url: cluster.url,
      topic,
      count: EVENTS,
      ratePerS: RATE,
      onAck: (ack) => {
        if (ack.n !== LEAVE_AFTER) return;
        left = leaveAndResume(leaver, topic);
        // Awaited below; this only keeps an early failure from counting as an unhandled rejection.
        left.catch(() => undefined);
      },
    });
    const all = [...clients, pinnedA!, pinnedB!];
    await Promise.all(all.map((client) => client.waitFor((c) => deliveredOn(c, topic).length >= EVENTS, `${EVENTS} events`, 30_000)));
    const elapsedS = (performance.now() - started) / 1000;

    for (const client of all) expect(checkDelivery(deliveredOn(client, topic), acks)).toEqual(perfectDelivery(EVENTS));
    expect(deliveredOn(pinnedA!, topic).map((event) => event.id)).toEqual(deliveredOn(pinnedB!, topic).map((event) => event.id));
    expect(servingNode(pinnedA!)).not.toBe(servingNode(pinnedB!));

    const { firstSession, resumed, resumeMs } = await left!;
    await resumed.waitFor((c) => firstSession.length + deliveredOn(c, topic).length >= EVENTS, 'the rest after resuming', 30_000);
    const secondSession = deliveredOn(resumed, topic);
    // The resumed stream starts exactly after the last event the first one saw.
    expect(secondSession[0]?.n).toBe((firstSession.at(-1)?.n ?? -1) + 1);
    expect(checkDelivery([...firstSession, ...secondSession], acks)).toEqual(perfectDelivery(EVENTS));

    const delivered = all.length * EVENTS + firstSession.length + secondSession.length;
    const spread = cluster.gateways.map((gateway) => nodes.filter((node) => node === gateway.nodeId).length).join('/');
    console.log(
      `[${broker}] ${EVENTS} events at ${RATE}/s to ${all.length + 1} clients (${spread} via nginx on the gateways, 2 pinned, 1 resuming): ` +
        `${delivered} deliveries in ${elapsedS.toFixed(1)} s, 0 lost, 0 duplicated; ` +
        `resume after ${firstSession.length} events on ${servingNode(resumed)} took ${resumeMs.toFixed(0)} ms to ready`,
    );
  });

  /** Closes `client` once it has {@link LEAVE_AFTER} events, stays away, and resumes through nginx with its Last-Event-ID. */
  async function leaveAndResume(client: SseTestClient, topic: string) {
    await client.waitFor((c) => deliveredOn(c, topic).length >= LEAVE_AFTER, 'events before leaving', 10_000);
    client.close();
    const firstSession = deliveredOn(client, topic);
    await new Promise((resolve) => setTimeout(resolve, AWAY_MS));
    const reconnecting = performance.now();
    const resumed = await open(cluster.url, topic, { 'last-event-id': firstSession.at(-1)!.id });
    const resumeMs = performance.now() - reconnecting;
    expect(resumed.messages.find((message) => message.event === 'ssehub.ready')?.data).toContain('"resumed":true');
    return { firstSession, resumed, resumeMs };
  }
});
