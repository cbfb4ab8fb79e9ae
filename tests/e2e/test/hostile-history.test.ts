// Regression: history responses nobody reads must not hoard memory. Forty `?limit=1000` requests over
// ~30 KB events that never read their answer once took a standalone from 142 MB to 2.6 GB of RSS. Now a
// page is capped in bytes (continued with `next`) and each client address may hold only a few history
// reads at once; the rest are refused with 429.
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fillTopic, rssBytes, seqOf } from './support/hostile.js';
import { E2E_JWT_SECRET, signJwt } from './support/jwt.js';
import { startStandalone, type StandaloneProcess } from './support/standalone.js';

const TOPIC = 'rooms/hoard';
const EVENTS = 1000;
const PAD = 'x'.repeat(30_000);
const HOARDERS = 40;
const READS_PER_IP = 4;
// Larger than the 1 MiB default so loopback socket buffers cannot take a whole page: unread answers
// then stay in the server's memory, the worst case the per-address limit bounds.
const PAGE_BYTES = 8 * 1024 * 1024;
/** Generous: a fixed server holds at most READS_PER_IP capped pages (4 × 8 MiB); the old one held 40 × 30 MB. */
const MAX_GROWTH_BYTES = 300 * 1024 * 1024;

let server: StandaloneProcess;
const hoarders: Socket[] = [];

interface HistoryPage {
  events: { id: string; data: { n: number } }[];
  truncated: boolean;
  next?: string;
}

/** Sends a history request and reads only the status line, then stops reading for good. */
function hoard(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    hoarders.push(socket);
    socket.on('error', reject);
    socket.once('data', (chunk: Buffer) => {
      socket.pause();
      resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(chunk.toString('latin1'))?.[1] ?? 0));
    });
    socket.write(`GET /v1/topics/${TOPIC}/history?limit=${EVENTS} HTTP/1.1\r\nHost: h\r\n\r\n`);
  });
}

async function history(query: string): Promise<{ status: number; page: HistoryPage; retryAfter: string | null }> {
  const response = await fetch(`${server.url}/v1/topics/${TOPIC}/history?${query}`);
  return { status: response.status, page: (await response.json()) as HistoryPage, retryAfter: response.headers.get('retry-after') };
}

beforeAll(async () => {
  server = await startStandalone({
    JWT_SECRET: E2E_JWT_SECRET,
    HISTORY_MAX_PER_TOPIC: String(EVENTS),
    MAX_BODY_BYTES: String(4 * 1024 * 1024),
    HISTORY_MAX_RESPONSE_BYTES: String(PAGE_BYTES),
  });
  const token = signJwt('history-filler', { ssehub: { publish: [TOPIC] } });
  await fillTopic(server.url, token, TOPIC, 'hoard.n', EVENTS, PAD);
});

afterAll(async () => {
  for (const socket of hoarders) socket.destroy();
  await server?.stop();
});

describe('history that is never read', () => {
  it('pages a large history in capped answers that continue, by `next`, with no event lost or repeated', async () => {
    const seen: number[] = [];
    const seqs: number[] = [];
    let query = `limit=${EVENTS}`;
    let pages = 0;
    for (;;) {
      const { status, page } = await history(query);
      expect(status).toBe(200);
      expect(page.events.length).toBeGreaterThan(0);
      pages++;
      for (const event of page.events) {
        seen.push(event.data.n);
        seqs.push(seqOf(event.id));
      }
      if (page.next === undefined) break;
      expect(page.next).toBe(page.events.at(-1)!.id);
      query = `after=${encodeURIComponent(page.next)}&limit=${EVENTS}`;
    }
    expect(seen).toEqual(Array.from({ length: EVENTS }, (_, n) => n));
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBeGreaterThan(seqs[i - 1]!);
    // 1000 events of ~30 KB cannot fit one 8 MiB page.
    expect(pages).toBeGreaterThanOrEqual(4);
  });

  it('holds bounded memory for 40 unread answers and refuses reads beyond the per-address limit', async () => {
    const before = rssBytes(server.process.child.pid!);
    const port = Number(new URL(server.url).port);
    const statuses = await Promise.all(Array.from({ length: HOARDERS }, () => hoard(port)));
    const after = rssBytes(server.process.child.pid!);
    console.log(`history hoarding: RSS ${Math.round(before / 2 ** 20)} MB → ${Math.round(after / 2 ** 20)} MB; statuses ${JSON.stringify(statuses)}`);
    expect(after - before).toBeLessThan(MAX_GROWTH_BYTES);
    expect(statuses.filter((status) => status === 200)).toHaveLength(READS_PER_IP);
    expect(statuses.filter((status) => status === 429)).toHaveLength(HOARDERS - READS_PER_IP);

    const refused = await history('limit=1');
    expect([refused.status, refused.retryAfter]).toEqual([429, '1']);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/ssehub_limit_hits_total\{limit="history_concurrency"\} (\d+)/);
    expect(Number(/ssehub_limit_hits_total\{limit="history_concurrency"\} (\d+)/.exec(metrics)?.[1])).toBeGreaterThanOrEqual(HOARDERS - READS_PER_IP + 1);
  });

  it('frees the slots of answers whose clients went away', async () => {
    for (const socket of hoarders.splice(0)) socket.destroy();
    // The server learns of the closed sockets asynchronously; wait for the condition, not a time.
    let answer = await history('limit=1');
    while (answer.status === 429) answer = await history('limit=1');
    expect(answer.status).toBe(200);
    expect(answer.page.events.map((event) => event.data.n)).toEqual([EVENTS - 1]);
  });
});
