import type { Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { LatencyHistogram } from '../src/loadgen/latency-histogram.js';
import { StreamParser, type DeliveryStats } from '../src/loadgen/stream-parser.js';
import { PAYLOAD_PAD, clockMs } from '../src/publisher/pacer.js';
import { createBareYardstick } from '../src/yardsticks/bare-http.js';
import { createExpressYardstick } from '../src/yardsticks/express-app.js';

/** A stream read the way the load generator reads it: raw socket, its StreamParser, plus the raw text. */
interface RawStream {
  readonly parser: StreamParser;
  readonly stats: DeliveryStats;
  raw(): string;
  /** Resolves once `predicate` holds, checked on every read. */
  until(predicate: () => boolean): Promise<void>;
  close(): void;
}

function openStream(port: number, topic: string): Promise<RawStream> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect({ host: '127.0.0.1', port });
    const parser = new StreamParser();
    const stats: DeliveryStats = { received: 0, gaps: 0, duplicates: 0, histogram: new LatencyHistogram() };
    const waiters = new Set<() => void>();
    let raw = '';
    socket.once('connect', () => socket.write(`GET /v1/events?topic=${topic} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n`));
    socket.once('error', reject);
    socket.on('data', (chunk: Buffer) => {
      raw += chunk.toString('latin1');
      if (parser.feed(chunk, clockMs(), stats)) resolve(stream);
      for (const waiter of waiters) waiter();
    });
    const stream: RawStream = {
      parser,
      stats,
      raw: () => raw,
      until: (predicate) =>
        new Promise((done) => {
          const check = (): void => {
            if (!predicate()) return;
            waiters.delete(check);
            done();
          };
          waiters.add(check);
          check();
        }),
      close: () => socket.destroy(),
    };
  });
}

async function post(port: number, body: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`http://127.0.0.1:${port}/v1/publish`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  return { status: res.status, body: await res.json() };
}

const publishBody = (topic: string, n: number): string => JSON.stringify({ topic, type: 'bench', data: { n, t: clockMs(), p: PAYLOAD_PAD } });

const YARDSTICKS: [string, () => Server][] = [
  ['node:http', createBareYardstick],
  ['express 5', createExpressYardstick],
];

describe.each(YARDSTICKS)('the %s yardstick', (_name, create) => {
  let server: Server | undefined;
  let streams: RawStream[] = [];

  async function listen(): Promise<number> {
    server = create();
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  }

  afterEach(async () => {
    for (const stream of streams) stream.close();
    streams = [];
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('streams each publish of a topic as one id/event/data frame the load generator counts in order', async () => {
    const port = await listen();
    const mine = await openStream(port, 'users/1/notifications');
    const other = await openStream(port, 'users/2/notifications');
    streams = [mine, other];
    expect(mine.parser.status).toBe(200);
    expect(mine.raw()).toMatch(/\r\ncontent-type: text\/event-stream; charset=utf-8\r\n/i);
    expect(mine.raw()).toMatch(/\r\ntransfer-encoding: chunked\r\n/i);

    for (let n = 1; n <= 3; n++) {
      const ack = await post(port, publishBody('users/1/notifications', n));
      expect(ack).toEqual({ status: 201, body: { id: String(n), topic: 'users/1/notifications' } });
    }
    expect((await post(port, publishBody('users/2/notifications', 1))).status).toBe(201);
    await mine.until(() => mine.stats.received === 3);
    await other.until(() => other.stats.received === 1);

    // Sequence numbers as the bench checks them: all three, in order, none twice, none on the other topic.
    expect(mine.parser.last).toBe(3);
    expect(mine.stats).toMatchObject({ received: 3, gaps: 0, duplicates: 0 });
    expect(other.parser.last).toBe(1);
    expect(other.stats).toMatchObject({ received: 1, gaps: 0, duplicates: 0 });
    // The gateway's frame: `retry:` first, then id, event and the envelope as data.
    const body = mine.raw().slice(mine.raw().indexOf('\r\n\r\n') + 4);
    expect(body).toContain('retry: 3000\n\n');
    const frames = [...body.matchAll(/id: (\d+)\nevent: (\S+)\ndata: (\{.*\})\n\n/g)];
    expect(frames.map((frame) => [frame[1], frame[2]])).toEqual([['1', 'bench'], ['2', 'bench'], ['3', 'bench']]);
    const envelope = JSON.parse(frames[2]![3]!);
    expect(envelope).toMatchObject({ id: '3', topic: 'users/1/notifications', type: 'bench', data: { n: 3, p: PAYLOAD_PAD } });
    expect(typeof envelope.ts).toBe('number');
  });

  it('answers a bad publish with a JSON error and keeps serving', async () => {
    const port = await listen();
    const stream = await openStream(port, 'users/7/notifications');
    streams = [stream];
    const notJson = await post(port, '{"topic":');
    expect(notJson.status).toBe(400);
    expect(notJson.body.error).toEqual({ code: expect.any(String), message: expect.any(String) });
    const noTopic = await post(port, JSON.stringify({ type: 'bench', data: {} }));
    expect(noTopic.status).toBe(400);
    expect(noTopic.body.error.code).toBe('invalid_event');
    const missing = await fetch(`http://127.0.0.1:${port}/v1/nowhere`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('not_found');

    expect((await post(port, publishBody('users/7/notifications', 1))).status).toBe(201);
    await stream.until(() => stream.stats.received === 1);
    expect(stream.stats).toMatchObject({ received: 1, gaps: 0, duplicates: 0 });
  });
});
