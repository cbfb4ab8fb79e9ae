import { connect, type Socket } from 'node:net';
import { serveIpc } from '../ipc.js';
import { LatencyHistogram } from './latency-histogram.js';
import { StormParser, type StormCounters, type StormStreamState } from './storm-parser.js';
import type { PhaseHistograms, RecoveryReply, StormConnectRequest, StormRequest, StormTotals } from './storm-protocol.js';

// A load generator whose streams reconnect as EventSource does: when the body ends or the connection
// fails, after the last `retry:` the server sent, with `Last-Event-ID` set to the newest id seen.

/** EventSource's own reconnection delay before any `retry:` arrived. @default 3000 */
const DEFAULT_RETRY_MS = 3000;

interface StormStream extends StormStreamState {
  readonly path: string;
  readonly host: string;
  readonly port: number;
  readonly localAddress: string | undefined;
  socket: Socket | undefined;
  /** The current connection answered 200 and has not closed. */
  live: boolean;
  brokenAt: number;
  reconnectedAt: number;
  backAt: number;
}

const clock = (): number => performance.timeOrigin + performance.now();
const streams: StormStream[] = [];
// Totals over the whole run; latencies per phase and home node.
const totals: StormCounters = { received: 0, gaps: 0, duplicates: 0 };
// StreamParser.feed hands its stats to the frame parser, which StormParser replaces with its own counters.
const UNUSED_STATS = { received: 0, gaps: 0, duplicates: 0, histogram: new LatencyHistogram() };
let phase = new Map<string, LatencyHistogram>();
/** Failed connection attempts by reason (`HTTP 502`, `connect ECONNREFUSED …`, `closed before the response head`). */
const failures = new Map<string, number>();
let closing = false;

function histogramFor(state: StormStreamState): LatencyHistogram {
  const home = state.home ?? 'unknown';
  let histogram = phase.get(home);
  if (!histogram) phase.set(home, (histogram = new LatencyHistogram()));
  return histogram;
}

/** Opens one connection of a stream; resolves with a problem, or undefined once the head said 200. */
function open(stream: StormStream): Promise<string | undefined> {
  return new Promise((resolvePromise) => {
    let settled = false;
    const resolve = (problem: string | undefined): void => {
      if (settled) return;
      settled = true;
      if (problem !== undefined) failures.set(problem, (failures.get(problem) ?? 0) + 1);
      resolvePromise(problem);
    };
    const socket = connect({ host: stream.host, port: stream.port, localAddress: stream.localAddress, noDelay: true });
    const parser = new StormParser(stream, totals, histogramFor);
    const reconnecting = stream.brokenAt > 0;
    let ready = false;
    stream.socket = socket;
    socket.once('connect', () => {
      const resume = stream.lastEventId === undefined ? '' : `Last-Event-ID: ${stream.lastEventId}\r\n`;
      socket.write(`GET ${stream.path} HTTP/1.1\r\nHost: ${stream.host}:${stream.port}\r\nAccept: text/event-stream\r\n${resume}\r\n`);
    });
    socket.on('data', (chunk: Buffer) => {
      const now = clock();
      if (parser.feed(chunk, now, UNUSED_STATS)) {
        ready = parser.status === 200;
        stream.live = ready;
        if (!ready) socket.destroy();
        else if (reconnecting) stream.reconnectedAt = now;
        resolve(ready ? undefined : `HTTP ${parser.status}`);
      }
      // Back: the reconnect delivered an event published after it opened, so the catch-up is done.
      if (ready && reconnecting && stream.backAt === 0 && parser.newestPublishMs >= stream.reconnectedAt) stream.backAt = now;
      if (parser.ended) socket.destroy();
    });
    socket.on('error', (error) => resolve(error.message));
    socket.once('close', () => {
      if (!ready) resolve('closed before the response head');
      if (stream.socket !== socket || closing) return;
      stream.socket = undefined;
      stream.live = false;
      if (ready && stream.brokenAt === 0) stream.brokenAt = clock();
      if (ready) stream.backAt = 0;
      // Unlike EventSource, a refused attempt is retried too: behind a load balancer the next node takes it.
      setTimeout(() => void open(stream), stream.retryMs);
    });
  });
}

async function connectAll(request: StormConnectRequest): Promise<{ ready: number; failed: number; error?: string }> {
  const mine = Array.from({ length: request.count }, (_, k): StormStream => {
    const index = request.first + k;
    return {
      path: request.pathTemplate.replaceAll('{i}', String(index)),
      host: request.host,
      port: request.port,
      localAddress: request.localAddresses[index % request.localAddresses.length],
      socket: undefined,
      live: false,
      lastEventId: undefined,
      retryMs: DEFAULT_RETRY_MS,
      lastByTopic: new Map(),
      home: undefined,
      resets: 0,
      brokenAt: 0,
      reconnectedAt: 0,
      backAt: 0,
    };
  });
  streams.push(...mine);
  let next = 0;
  let ready = 0;
  let error: string | undefined;
  async function lane(): Promise<void> {
    while (next < mine.length) {
      const problem = await open(mine[next++]!);
      if (problem === undefined) ready++;
      else error ??= problem;
    }
  }
  await Promise.all(Array.from({ length: Math.min(request.concurrency, mine.length) }, lane));
  return { ready, failed: mine.length - ready, ...(error === undefined ? {} : { error }) };
}

function endPhase(): PhaseHistograms {
  const ended = phase;
  phase = new Map();
  return Object.fromEntries([...ended].map(([home, histogram]) => [home, histogram.toJSON()]));
}

function recovery(): RecoveryReply {
  const brokenByHome: Record<string, number> = {};
  let reconnected = 0;
  let back = 0;
  let firstBrokenAt = 0;
  let lastReconnectedAt = 0;
  let lastBackAt = 0;
  for (const stream of streams) {
    if (stream.brokenAt === 0) continue;
    const home = stream.home ?? 'unknown';
    brokenByHome[home] = (brokenByHome[home] ?? 0) + 1;
    if (firstBrokenAt === 0 || stream.brokenAt < firstBrokenAt) firstBrokenAt = stream.brokenAt;
    if (stream.live) {
      reconnected++;
      lastReconnectedAt = Math.max(lastReconnectedAt, stream.reconnectedAt);
    }
    if (stream.backAt > 0) {
      back++;
      lastBackAt = Math.max(lastBackAt, stream.backAt);
    }
  }
  return { brokenByHome, reconnected, back, firstBrokenAt, lastReconnectedAt, lastBackAt, failures: Object.fromEntries(failures) };
}

function runTotals(): StormTotals {
  const streamsByHome: Record<string, number> = {};
  let lastSum = 0;
  let resets = 0;
  for (const stream of streams) {
    const home = stream.home ?? 'unknown';
    streamsByHome[home] = (streamsByHome[home] ?? 0) + 1;
    for (const n of stream.lastByTopic.values()) lastSum += n;
    resets += stream.resets;
  }
  const cpu = process.cpuUsage();
  return {
    streams: streams.length,
    open: streams.filter((stream) => stream.live).length,
    streamsByHome,
    received: totals.received,
    gaps: totals.gaps,
    duplicates: totals.duplicates,
    resets,
    lastSum,
    cpuUs: cpu.user + cpu.system,
  };
}

serveIpc((request: StormRequest) => {
  switch (request.op) {
    case 'connect':
      return connectAll(request);
    case 'phase':
      return endPhase();
    case 'recovery':
      return recovery();
    case 'totals':
      return runTotals();
    case 'close':
      closing = true;
      for (const stream of streams) stream.socket?.destroy();
      return true;
  }
});
