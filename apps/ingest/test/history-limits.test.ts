import { connect } from 'node:net';
import { decodeCursor } from '@ssehub/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { expectError, postJson, readJson, startIngest, type TestIngest } from './harness.js';

const seqOf = (id: string): number => decodeCursor(id)!.positions[0]!;

async function fill(ingest: TestIngest, topic: string, count: number, padBytes: number): Promise<void> {
  const events = Array.from({ length: count }, (_, n) => ({ topic, type: 'big', data: { n, pad: 'x'.repeat(padBytes) } }));
  expect((await postJson(`${ingest.url}/v1/publish`, { events })).status).toBe(201);
}

interface Page {
  events: Array<{ id: string; data: { n: number } }>;
  next?: string;
}

describe('history answers within bounds', () => {
  let ingest: TestIngest;
  afterEach(() => ingest.close());
  const history = (query: string) => fetch(`${ingest.url}/v1/topics/big/history?${query}`);

  it('cuts a page to HISTORY_MAX_RESPONSE_BYTES and continues after `next` with nothing lost or repeated', async () => {
    ingest = await startIngest({ limits: { HISTORY_MAX_RESPONSE_BYTES: 4096 } });
    await fill(ingest, 'big', 30, 1000);
    const seen: number[] = [];
    const seqs: number[] = [];
    let query = 'limit=1000';
    for (;;) {
      const page = (await readJson(await history(query))) as unknown as Page;
      expect(Buffer.byteLength(JSON.stringify(page.events))).toBeLessThanOrEqual(4096);
      seen.push(...page.events.map((event) => event.data.n));
      seqs.push(...page.events.map((event) => seqOf(event.id)));
      if (page.next === undefined) break;
      expect(page.next).toBe(page.events.at(-1)!.id);
      query = `after=${page.next}&limit=1000`;
    }
    expect(seen).toEqual(Array.from({ length: 30 }, (_, n) => n));
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBe(seqs[i - 1]! + 1);
  });

  it('answers one event even when it alone is larger than the cap, and no `next` on a page that fits', async () => {
    ingest = await startIngest({ limits: { HISTORY_MAX_RESPONSE_BYTES: 1024 } });
    await fill(ingest, 'big', 2, 2000);
    const first = (await readJson(await history('limit=2'))) as unknown as Page;
    expect(first.events.map((event) => event.data.n)).toEqual([0]);
    const rest = (await readJson(await history(`after=${first.next}`))) as unknown as Page & Record<string, unknown>;
    expect(rest.events.map((event) => event.data.n)).toEqual([1]);
    expect('next' in rest).toBe(false);
  });

  it('refuses history reads beyond MAX_HISTORY_READS_PER_IP while an answer stays unread, then frees the slot', async () => {
    ingest = await startIngest({ maxBodyBytes: 16 * 1024 * 1024, limits: { HISTORY_MAX_RESPONSE_BYTES: 32 * 1024 * 1024, MAX_HISTORY_READS_PER_IP: 1 } });
    // 12 MB: more than loopback socket buffers take from a reader that never reads.
    await fill(ingest, 'big', 12, 1_000_000);
    const hoarder = connect(Number(new URL(ingest.url).port), '127.0.0.1');
    const status = await new Promise<string>((resolve) => {
      hoarder.once('data', (chunk: Buffer) => {
        hoarder.pause();
        resolve(chunk.toString('latin1').split('\r\n')[0]!);
      });
      hoarder.write('GET /v1/topics/big/history?limit=12 HTTP/1.1\r\nHost: h\r\n\r\n');
    });
    expect(status).toBe('HTTP/1.1 200 OK');
    const refused = await history('limit=1');
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(await expectError(refused, 429, 'rate_limited')).toMatch(/history reads at once/);
    expect(await ingest.registry.getSingleMetricAsString('ssehub_limit_hits_total')).toMatch(/limit="history_concurrency"} 1$/m);
    hoarder.destroy();
    let answer = await history('limit=1');
    while (answer.status === 429) answer = await history('limit=1');
    expect(answer.status).toBe(200);
  });
});
