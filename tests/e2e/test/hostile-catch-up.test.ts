// Regression: a resume over a large retained history must cost the node one stream buffer, not the whole
// history. Twenty streams resuming from the start of ~30 MB of retained events that never read took a
// standalone from 131 MB to 736 MB of RSS: each queued its entire catch-up before it started. Now
// catch-up is replayed as the socket drains, so a stream holds at most about MAX_BUFFER_BYTES
// (the same run: 131 MB to 155 MB).
import { connect, type Socket } from 'node:net';
import { openSse, ready } from '@ssehub/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fillTopic, rssBytes, seqOf } from './support/hostile.js';
import { E2E_JWT_SECRET, signJwt } from './support/jwt.js';
import { startStandalone, type StandaloneProcess } from './support/standalone.js';

const TOPIC = 'rooms/backlog';
const EVENTS = 1000;
const PAD = 'x'.repeat(30_000);
const STREAMS = 20;
const MAX_BUFFER_BYTES = 1024 * 1024;
/** Generous: per stream its buffer and what loopback sockets take, plus slack for the heap's own growth. */
const MAX_GROWTH_BYTES = STREAMS * (MAX_BUFFER_BYTES + 4 * 1024 * 1024) + 100 * 1024 * 1024;

let server: StandaloneProcess;
let firstId = '';
const stalled: Socket[] = [];

/** Opens a stream resuming after `lastEventId`, reads only the status line, then stops reading for good. */
function resumeAndStall(port: number, lastEventId: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    stalled.push(socket);
    socket.on('error', reject);
    socket.once('data', (chunk: Buffer) => {
      socket.pause();
      resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(chunk.toString('latin1'))?.[1] ?? 0));
    });
    socket.write(`GET /v1/events?topic=${TOPIC} HTTP/1.1\r\nHost: h\r\nAccept: text/event-stream\r\nLast-Event-ID: ${lastEventId}\r\n\r\n`);
  });
}

/** Frames the node wrote so far, from /metrics: it stops moving once every stalled catch-up waits. */
async function framesDelivered(): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return Number(/^ssehub_gateway_frames_delivered_total(?:\{[^}]*\})? (\d+)/m.exec(text)?.[1] ?? Number.NaN);
}

beforeAll(async () => {
  server = await startStandalone({
    JWT_SECRET: E2E_JWT_SECRET,
    PUBLIC_TOPICS: 'rooms/**',
    HISTORY_MAX_PER_TOPIC: String(EVENTS),
    MAX_BODY_BYTES: String(4 * 1024 * 1024),
    MAX_BUFFER_BYTES: String(MAX_BUFFER_BYTES),
  });
  const token = signJwt('backlog-filler', { ssehub: { publish: [TOPIC] } });
  firstId = await fillTopic(server.url, token, TOPIC, 'backlog.n', EVENTS, PAD);
});

afterAll(async () => {
  for (const socket of stalled) socket.destroy();
  await server?.stop();
});

describe('catch-up over a large retained history', () => {
  it('holds bounded memory for twenty resuming streams that never read', async () => {
    const before = rssBytes(server.process.child.pid!);
    const port = Number(new URL(server.url).port);
    const statuses = await Promise.all(Array.from({ length: STREAMS }, () => resumeAndStall(port, firstId)));
    expect(statuses).toEqual(new Array(STREAMS).fill(200));
    // Settled: two scrapes in a row with no frame written in between.
    let last = -1;
    for (let now = await framesDelivered(); now !== last; now = await framesDelivered()) last = now;
    const after = rssBytes(server.process.child.pid!);
    console.log(`catch-up hoarding: RSS ${Math.round(before / 2 ** 20)} MB → ${Math.round(after / 2 ** 20)} MB for ${STREAMS} streams`);
    expect(after - before).toBeLessThan(MAX_GROWTH_BYTES);
  });

  it('still delivers the whole history, each event once and in order, to a stream that reads', async () => {
    const reader = await openSse(`${server.url}/v1/events?topic=${TOPIC}`, { 'last-event-id': firstId });
    await reader.waitFor((client) => client.events().length >= EVENTS - 1, `${EVENTS - 1} events`, 60_000);
    const events = reader.events();
    expect(events.map((event) => event.data.n)).toEqual(Array.from({ length: EVENTS - 1 }, (_, i) => i + 1));
    for (let i = 1; i < events.length; i++) expect(seqOf(events[i]!.id)).toBeGreaterThan(seqOf(events[i - 1]!.id));
    expect(ready(reader)).toBe(true);
    reader.close();
  });
});
