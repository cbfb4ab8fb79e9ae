import type { Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { createMemoryBroker, type Broker } from '@ssehub/broker';
import { createGatewayApp, loadGatewayConfig } from '@ssehub/gateway';
import { createAccessPolicy, createHttpServer, createLogger, sendError } from '@ssehub/service-kit';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LatencyHistogram } from '../src/loadgen/latency-histogram.js';
import { StormParser, type StormCounters, type StormStreamState } from '../src/loadgen/storm-parser.js';
import { PAYLOAD_PAD, clockMs } from '../src/publisher/pacer.js';

const OWN = 'users/7/notifications';
const SHARED = 'bench/storm';

/** One connection of an S6 stream, read as the storm load generator reads it. */
interface Connection {
  until(predicate: () => boolean): Promise<void>;
  close(): void;
}

function openConnection(port: number, state: StormStreamState, counters: StormCounters): Promise<Connection> {
  const histogram = new LatencyHistogram();
  const parser = new StormParser(state, counters, () => histogram);
  const unused = { received: 0, gaps: 0, duplicates: 0, histogram };
  const waiters = new Set<() => void>();
  return new Promise((resolve, reject) => {
    const socket: Socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      const resume = state.lastEventId === undefined ? '' : `Last-Event-ID: ${state.lastEventId}\r\n`;
      socket.write(`GET /v1/events?topic=${OWN}&topic=${SHARED} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n${resume}\r\n`);
    });
    socket.once('error', reject);
    socket.on('data', (chunk: Buffer) => {
      if (parser.feed(chunk, clockMs(), unused)) resolve(connection);
      for (const waiter of waiters) waiter();
    });
    const connection: Connection = {
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

describe('an S6 stream (StormParser against a real gateway)', () => {
  let broker: Broker;
  let server: Server;
  let port: number;
  const numbers = new Map<string, number>();
  const publish = async (topic: string): Promise<void> => {
    const n = (numbers.get(topic) ?? 0) + 1;
    numbers.set(topic, n);
    await broker.publish([{ topic, type: 'bench', data: { n, t: clockMs(), p: PAYLOAD_PAD } }]);
  };

  beforeEach(async () => {
    numbers.clear();
    const env = { BROKER_URL: 'memory://', NODE_ID: 'storm-test', LOG_LEVEL: 'warn', PUBLIC_TOPICS: '**', RETRY_MS: '500' };
    const config = loadGatewayConfig({ ...process.env, ...env });
    broker = createMemoryBroker({ historyMaxPerTopic: 100 });
    const access = createAccessPolicy({ config, jose: { jwtVerify, createRemoteJWKSet } });
    const logger = createLogger({ service: 'bench-test', node: 'storm-test', level: 'warn' });
    const app = createGatewayApp({ broker, config, logger, registry: new Registry(), access });
    server = createHttpServer((req, res) => {
      if (!app.handle(req, res)) sendError(res, 'not_found', 'not here');
    });
    port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
  });

  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('resumes from Last-Event-ID with every event of both topics once and in order', async () => {
    const state: StormStreamState = { lastEventId: undefined, retryMs: 0, lastByTopic: new Map(), home: undefined, resets: 0 };
    const counters: StormCounters = { received: 0, gaps: 0, duplicates: 0 };
    const first = await openConnection(port, state, counters);
    await first.until(() => state.home !== undefined);
    for (let i = 0; i < 3; i++) {
      await publish(OWN);
      await publish(SHARED);
    }
    await first.until(() => counters.received === 6);
    expect(state.home).toBe('storm-test');
    expect(state.retryMs).toBeGreaterThanOrEqual(500);
    expect(state.retryMs).toBeLessThanOrEqual(750);
    first.close();

    // Published while the stream is away: the resume must replay exactly these, then go on live.
    for (let i = 0; i < 3; i++) {
      await publish(SHARED);
      await publish(OWN);
    }
    const second = await openConnection(port, state, counters);
    await publish(OWN);
    await publish(SHARED);
    await second.until(() => state.lastByTopic.get(OWN) === 7 && state.lastByTopic.get(SHARED) === 7);
    second.close();
    expect(counters).toEqual({ received: 14, gaps: 0, duplicates: 0 });
    expect(state.resets).toBe(0);
    expect(state.home).toBe('storm-test');
  });
});
