import { createHmac } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { serveIpc } from '../ipc.js';
import { LatencyHistogram } from './latency-histogram.js';
import type { ConnectReply, ConnectRequest, LoadgenRequest, LoadgenSnapshot } from './loadgen-protocol.js';
import { StreamParser, type DeliveryStats } from './stream-parser.js';

// A load generator process: raw sockets, one incremental parser per stream, counters shipped over IPC.
const streams = new Set<{ socket: Socket; parser: StreamParser }>();
let stats: DeliveryStats = { received: 0, gaps: 0, duplicates: 0, histogram: new LatencyHistogram() };
let closed = 0;
let cpuAtReset = process.cpuUsage();
const clockOrigin = performance.timeOrigin;

const base64url = (text: string): string => Buffer.from(text).toString('base64url');
const JWT_HEADER = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));

/** Stream i's own token: subject `<i>`, valid for a day, reading `bench/**` and its own `users/{sub}/**`. */
function streamToken(secret: string, i: number): string {
  const claims = { sub: String(i), exp: Math.floor(Date.now() / 1000) + 86_400, ssehub: { subscribe: ['bench/**', 'users/{sub}/**'] } };
  const signed = `${JWT_HEADER}.${base64url(JSON.stringify(claims))}`;
  return `${signed}.${createHmac('sha256', secret).update(signed).digest('base64url')}`;
}

function open(request: ConnectRequest, index: number): Promise<string | undefined> {
  const i = request.first + index;
  const path = request.pathTemplate.replaceAll('{i}', String(i));
  const auth = request.jwtSecret === undefined ? '' : `Authorization: Bearer ${streamToken(request.jwtSecret, i)}\r\n`;
  const localAddress = request.localAddresses[index % request.localAddresses.length];
  return new Promise((resolve) => {
    const socket = connect({ host: request.host, port: request.port, localAddress, noDelay: true });
    const parser = new StreamParser();
    const stream = { socket, parser };
    let ready = false;
    socket.once('connect', () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: ${request.host}:${request.port}\r\nAccept: text/event-stream\r\n${auth}\r\n`);
    });
    socket.on('data', (chunk: Buffer) => {
      if (!parser.feed(chunk, clockOrigin + performance.now(), stats)) return;
      ready = parser.status === 200;
      if (ready) streams.add(stream);
      else socket.destroy();
      resolve(ready ? undefined : `HTTP ${parser.status}`);
    });
    socket.on('error', (error) => resolve(error.message));
    socket.once('close', () => {
      if (streams.delete(stream)) closed++;
      if (!ready) resolve('closed before the response head');
    });
  });
}

async function connectAll(request: ConnectRequest): Promise<ConnectReply> {
  let next = 0;
  let ready = 0;
  let failed = 0;
  let error: string | undefined;
  async function lane(): Promise<void> {
    while (next < request.count) {
      const problem = await open(request, next++);
      if (problem === undefined) ready++;
      else {
        failed++;
        error ??= problem;
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(request.concurrency, request.count) }, lane));
  return { ready, failed, ...(error === undefined ? {} : { error }) };
}

function snapshot(): LoadgenSnapshot {
  let minLast = Number.MAX_SAFE_INTEGER;
  for (const { parser } of streams) if (parser.last < minLast) minLast = parser.last;
  const cpu = process.cpuUsage(cpuAtReset);
  return {
    received: stats.received,
    gaps: stats.gaps,
    duplicates: stats.duplicates,
    closed,
    open: streams.size,
    minLast: streams.size === 0 ? 0 : minLast,
    histogram: stats.histogram.toJSON(),
    cpuUs: cpu.user + cpu.system,
  };
}

serveIpc((request: LoadgenRequest) => {
  switch (request.op) {
    case 'connect':
      return connectAll(request);
    case 'reset':
      stats = { received: 0, gaps: 0, duplicates: 0, histogram: new LatencyHistogram() };
      closed = 0;
      cpuAtReset = process.cpuUsage();
      return true;
    case 'snapshot':
      return snapshot();
    case 'close':
      for (const { socket } of streams) socket.destroy();
      streams.clear();
      return true;
  }
});
