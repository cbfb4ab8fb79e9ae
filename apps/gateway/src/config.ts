import { BASE_ENV_SHAPE, envInt, parseEnv } from '@ssehub/service-kit';
import { z } from 'zod';

const GatewayEnvSchema = z.object({
  ...BASE_ENV_SHAPE,
  /** Seconds between heartbeat comments on every stream. */
  HEARTBEAT_S: envInt(1, 3600, 15),
  /** Base reconnection delay sent as `retry:`; each connection gets up to 50% jitter on top. */
  RETRY_MS: envInt(0, 600_000, 2000),
  /** Bytes a connection may have queued but unsent before it is cut off as a slow consumer. */
  MAX_BUFFER_BYTES: envInt(4096, 1 << 30, 1 << 20),
  /** Topics one connection may subscribe to. */
  MAX_TOPICS_PER_CONNECTION: envInt(1, 1000, 32),
  /** Seconds a node's presence claims live without a refresh; a dead node's users leave after this. */
  PRESENCE_TTL_S: envInt(3, 3600, 30),
  /** Seconds a draining node waits for its streams to close before it exits anyway. */
  DRAIN_TIMEOUT_S: envInt(0, 3600, 10),
});

/** The gateway's validated configuration. */
export type GatewayConfig = z.infer<typeof GatewayEnvSchema>;

/** Reads the gateway's configuration; the only reader of `process.env`. */
export function loadGatewayConfig(env: Record<string, string | undefined> = process.env): GatewayConfig {
  return parseEnv(GatewayEnvSchema, env);
}
