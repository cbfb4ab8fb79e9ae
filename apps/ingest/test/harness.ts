import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createMemoryBroker, type Broker } from '@ssehub/broker';
import { AUTH_ENV_SHAPE, createAccessPolicy, type AccessPolicy } from '@ssehub/service-kit';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { z } from 'zod';
import { createIngestApp, type IngestConfig } from '../src/index.js';

/** An ingest app listening on an ephemeral loopback port, over a memory broker. */
export interface TestIngest {
  readonly url: string;
  readonly broker: Broker;
  readonly registry: Registry;
  /** Every log line the app wrote, parsed. */
  readonly logs: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

/** An access policy from auth variables as the environment would give them. */
export function testAccess(env: Record<string, string> = {}): AccessPolicy {
  return createAccessPolicy({ config: z.object(AUTH_ENV_SHAPE).parse(env), jose: { jwtVerify, createRemoteJWKSet } });
}

/** The publish and history tests use any topic without a token; the auth tests pass their own policy. */
export const OPEN_ACCESS_ENV = { PUBLIC_TOPICS: '**', ANONYMOUS_PUBLISH_TOPICS: '**' };

/** Limits off unless a test sets them. */
const TEST_LIMITS = {
  MAX_BATCH_EVENTS: 100,
  PUBLISH_RATE_PER_S: 0,
  PUBLISH_BURST: 100,
  TRUST_PROXY_HOPS: 0,
  IPV6_PREFIX_BITS: 64,
  CORS_ORIGINS: [],
  HISTORY_MAX_RESPONSE_BYTES: 1_048_576,
  MAX_HISTORY_READS_PER_IP: 0,
};

/** Options of {@link startIngest}. */
export interface StartIngestOptions {
  broker?: Broker;
  maxBodyBytes?: number;
  access?: AccessPolicy;
  limits?: Partial<Pick<IngestConfig, keyof typeof TEST_LIMITS>>;
}

/** Starts the ingest app on a free port; `broker` defaults to a fresh memory broker. */
export async function startIngest(options: StartIngestOptions = {}): Promise<TestIngest> {
  const broker = options.broker ?? createMemoryBroker();
  const registry = new Registry();
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logs.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      callback();
    },
  });
  const logger = pino({ level: 'warn' }, sink);
  const config = { ...TEST_LIMITS, ...options.limits, MAX_BODY_BYTES: options.maxBodyBytes ?? 65_536 };
  const access = options.access ?? testAccess(OPEN_ACCESS_ENV);
  const app = createIngestApp({ broker, config, logger, registry, access });
  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    broker,
    registry,
    logs,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await broker.close();
    },
  };
}

/** POSTs `body` (JSON-encoded unless already a string or bytes) with `content-type: application/json`. */
export function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  const payload = typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body);
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: payload });
}

/** Reads a JSON answer and checks the content type every answer must carry. */
export async function readJson(response: Response): Promise<Record<string, unknown>> {
  const type = response.headers.get('content-type');
  if (type !== 'application/json; charset=utf-8') throw new Error(`expected a JSON answer, got content-type ${String(type)}`);
  return (await response.json()) as Record<string, unknown>;
}

/** Asserts an error answer's status and code, and answers its message. */
export async function expectError(response: Response, status: number, code: string): Promise<string> {
  const body = await readJson(response);
  const error = body.error as { code?: unknown; message?: unknown } | undefined;
  if (response.status !== status || error?.code !== code || typeof error.message !== 'string') {
    throw new Error(`expected ${status} ${code}, got ${response.status} ${JSON.stringify(body)}`);
  }
  return error.message;
}
