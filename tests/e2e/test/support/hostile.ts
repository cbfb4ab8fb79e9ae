import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { decodeCursor } from '@ssehub/protocol';
import { drip, type RawAnswer } from './raw-http.js';

/** POSTs JSON on a fresh connection (no keep-alive, so no reuse race can lose an answer). */
export function postOnce(base: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const req = request(`${base}${path}`, {
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...headers },
    });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** A publisher that numbers its events 0, 1, 2, ... one after another, for the whole suite. */
export interface SteadyPublisher {
  /** Ids of the acknowledged events, index = n. */
  readonly acked: string[];
  /** Anything but a 201, in order. */
  readonly failures: string[];
  /** Stops after the publish in flight; resolves with how many were acknowledged. */
  stop(): Promise<number>;
}

/** Publishes `{n}` to `topic` every `intervalMs` until stopped. */
export function startSteadyPublisher(base: string, topic: string, headers: Record<string, string>, intervalMs: number): SteadyPublisher {
  const acked: string[] = [];
  const failures: string[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const n = acked.length;
      try {
        const answer = await postOnce(base, '/v1/publish', { topic, type: 'steady.n', data: { n } }, headers);
        if (answer.status === 201) acked.push((JSON.parse(answer.body) as { id: string }).id);
        else failures.push(`${n}: ${answer.status} ${answer.body}`);
      } catch (error) {
        failures.push(`${n}: ${(error as Error).message}`);
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return {
    acked,
    failures,
    async stop() {
      running = false;
      await loop;
      return acked.length;
    },
  };
}

/** The sequence number of an event id. */
export function seqOf(id: string): number {
  const cursor = decodeCursor(id);
  if (!cursor) throw new Error(`not an event id: ${id}`);
  return cursor.positions[0]!;
}

/** Outcome of {@link connectionStorm}. */
export interface StormOutcome {
  /** Status codes of the connections that got an answer before being dropped, by status. */
  readonly statuses: Record<number, number>;
  /** Connections dropped right after sending their request, before any answer. */
  readonly droppedEarly: number;
}

/**
 * Opens `count` connections asking for a stream, drops every other one right after its request,
 * waits until the rest got their answer head, then drops all of them at once.
 */
export async function connectionStorm(port: number, path: string, count: number): Promise<StormOutcome> {
  const sockets: Socket[] = [];
  const heads: Promise<number>[] = [];
  let droppedEarly = 0;
  for (let i = 0; i < count; i += 1) {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    socket.write(`GET ${path} HTTP/1.1\r\nHost: storm\r\nAccept: text/event-stream\r\n\r\n`);
    if (i % 2 === 1) {
      socket.once('connect', () => socket.destroy());
      droppedEarly += 1;
      continue;
    }
    sockets.push(socket);
    heads.push(
      new Promise((resolve) => {
        let text = '';
        socket.setEncoding('latin1');
        socket.on('data', (chunk: string) => {
          text += chunk;
          if (text.includes('\r\n')) resolve(Number(text.split(' ')[1]));
        });
        socket.on('close', () => resolve(0));
      }),
    );
    // Batches keep the listen backlog from overflowing into SYN retransmits.
    if (i % 200 === 199) await new Promise((resolve) => setImmediate(resolve));
  }
  const codes = await Promise.all(heads);
  for (const socket of sockets) socket.destroy();
  const statuses: Record<number, number> = {};
  for (const code of codes) statuses[code] = (statuses[code] ?? 0) + 1;
  return { statuses, droppedEarly };
}

/** Opens `count` slow clients of each kind at once: idle, headers dripping, body dripping. */
export async function slowloris(port: number, count: number, waitMs: number): Promise<{ idle: RawAnswer[]; headers: RawAnswer[]; body: RawAnswer[] }> {
  const tick = 400;
  const endless = (first: string, part: string): string[] => [first, ...Array.from({ length: Math.ceil(waitMs / tick) }, () => part)];
  const run = (parts: string[], interval: number): Promise<RawAnswer[]> =>
    Promise.all(Array.from({ length: count }, () => drip(port, parts, interval, { timeoutMs: waitMs })));
  const [idle, headers, body] = await Promise.all([
    run([''], waitMs),
    run(endless('GET /v1/events?topic=rooms/slow HTTP/1.1\r\nHost: slow\r\n', 'X-Drip: 1\r\n'), tick),
    run(endless('POST /v1/publish HTTP/1.1\r\nHost: slow\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{', ' '), tick),
  ]);
  return { idle, headers, body };
}

/** The resident set of a process, in bytes, from /proc: memory bounds compare it before and after. */
export function rssBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

/**
 * Publishes `count` events of `type` to `topic` in batches of 50, each `{ n, pad }`: a large retained
 * history to attack. Answers the id of the first.
 */
export async function fillTopic(base: string, token: string, topic: string, type: string, count: number, pad: string): Promise<string> {
  const batch = 50;
  let firstId = '';
  for (let first = 0; first < count; first += batch) {
    const events = Array.from({ length: Math.min(batch, count - first) }, (_, i) => ({ topic, type, data: { n: first + i, pad } }));
    const response = await fetch(`${base}/v1/publish`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ events }),
    });
    if (response.status !== 201) throw new Error(`filling ${topic}: HTTP ${response.status} ${await response.text()}`);
    firstId ||= ((await response.json()) as { events: { id: string }[] }).events[0]!.id;
  }
  return firstId;
}
