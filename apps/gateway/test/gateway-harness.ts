import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMemoryBroker, type Broker } from '@ssehub/broker';
import { AUTH_ENV_SHAPE, createAccessPolicy, createHttpServer, createLogger, sendError, type AccessPolicy, type AuthConfig } from '@ssehub/service-kit';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { z } from 'zod';
import { Registry } from 'prom-client';
import { createGatewayApp, type GatewayApp, type GatewayAppConfig } from '../src/app.js';

/** A gateway on an ephemeral port over a memory broker, as main.ts would wire it. */
export interface GatewayHarness {
  readonly url: string;
  readonly broker: Broker;
  readonly app: GatewayApp;
  readonly registry: Registry;
  readonly server: Server;
  publish(topic: string, n: number, extra?: Record<string, unknown>): Promise<string>;
  close(): Promise<void>;
}

export const TEST_CONFIG: GatewayAppConfig = {
  NODE_ID: 'test-node',
  HEARTBEAT_S: 15,
  RETRY_MS: 1000,
  MAX_BUFFER_BYTES: 1 << 20,
  MAX_TOPICS_PER_CONNECTION: 4,
  PRESENCE_TTL_S: 30,
  MAX_CONNECTIONS_PER_USER: 0,
  MAX_CONNECTIONS_PER_IP: 0,
  TRUST_PROXY_HOPS: 0,
  CORS_ORIGINS: [],
};

/** An access policy from auth variables as the environment would give them; unset ones take their defaults. */
export function testAccess(env: Record<string, string> = {}): AccessPolicy {
  const config: AuthConfig = z.object(AUTH_ENV_SHAPE).parse(env);
  return createAccessPolicy({ config, jose: { jwtVerify, createRemoteJWKSet } });
}

/**
 * The delivery and presence tests read any topic without a token and count self-declared `?user=`
 * names (allowed where anyone may read and publish); the auth tests pass their own policy.
 */
export const OPEN_ACCESS_ENV = { PUBLIC_TOPICS: '**', ANONYMOUS_PUBLISH_TOPICS: '**' };

export async function startGateway(
  overrides: Partial<GatewayAppConfig> = {},
  broker: Broker = createMemoryBroker(),
  access: AccessPolicy = testAccess(OPEN_ACCESS_ENV),
): Promise<GatewayHarness> {
  const registry = new Registry();
  const logger = createLogger({ service: 'gateway', node: 'test-node', level: 'silent' });
  const app = createGatewayApp({ broker, config: { ...TEST_CONFIG, ...overrides }, logger, registry, access });
  const server = createHttpServer((req, res) => {
    if (!app.handle(req, res)) sendError(res, 'not_found', 'no route');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    broker,
    app,
    registry,
    server,
    async publish(topic, n, extra = {}) {
      const [event] = await broker.publish([{ topic, type: 'test.n', data: { n, ...extra } }]);
      return event!.id;
    },
    async close() {
      await app.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await broker.close();
    },
  };
}

/** The `n` of every event a client received, in arrival order. */
export function numbers(events: { data: { data: { n: number } } }[] | { data: any }[]): number[] {
  return events.map((event) => (event as { data: { n: number } }).data.n);
}
