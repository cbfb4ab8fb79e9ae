import {
  AUTH_ENV_SHAPE,
  BASE_ENV_SHAPE,
  CONNECTION_LIMITS_ENV_SHAPE,
  CORS_ENV_SHAPE,
  HTTP_LIMITS_ENV_SHAPE,
  envInt,
  envOptional,
  parseEnv,
} from '@ssehub/service-kit';
import { availableParallelism } from 'node:os';
import { z } from 'zod';

/** Shortest `ADMIN_TOKEN` accepted. @default 32 */
export const ADMIN_TOKEN_MIN_LENGTH = 32;

const WORKERS_MESSAGE = 'expected a number of processes from 1 to 256, or "auto" (one per core)';

/** `WORKERS`: gateway processes sharing the port; `auto` is one per core. */
const WorkersSchema = z.preprocess(
  (value) => (value === undefined || value === '' ? '1' : value === 'auto' ? String(availableParallelism()) : value),
  z
    .string()
    .regex(/^\d+$/, { message: WORKERS_MESSAGE })
    .transform(Number)
    .pipe(z.number().int().min(1, { message: WORKERS_MESSAGE }).max(256, { message: WORKERS_MESSAGE })),
);

const GatewayEnvSchema = z.object({
  ...BASE_ENV_SHAPE,
  ...AUTH_ENV_SHAPE,
  ...HTTP_LIMITS_ENV_SHAPE,
  ...CONNECTION_LIMITS_ENV_SHAPE,
  ...CORS_ENV_SHAPE,
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
  /** Presence joins per second per user, ten times that per client address; a stream over it is not counted. 0 turns it off. */
  PRESENCE_RATE_PER_S: envInt(0, 100_000, 2),
  /** Presence joins (one per topic of a stream) a user may make at once after being idle. */
  PRESENCE_BURST: envInt(1, 1_000_000, 64),
  /** Seconds a draining node waits for its streams to close before it exits anyway. */
  DRAIN_TIMEOUT_S: envInt(0, 3600, 10),
  /**
   * Bearer token of the admin read API (`/v1/admin/*`); unset turns the API off. At least 32 characters
   * (`openssl rand -hex 24`), so guessing at the rate wrong guesses are allowed is hopeless.
   */
  ADMIN_TOKEN: envOptional().pipe(z.string().min(ADMIN_TOKEN_MIN_LENGTH, { message: `expected at least ${ADMIN_TOKEN_MIN_LENGTH} characters` }).optional()),
  /** Seconds between broker-lag probes (`ssehub_gateway_broker_lag_seconds`); 0 turns them off. */
  LAG_PROBE_S: envInt(0, 3600, 5),
  /** Gateway processes serving PORT together (node:cluster), each with its own broker subscriptions. */
  WORKERS: WorkersSchema,
  /**
   * Milliseconds a busy stream waits after a write before the next, so frequent events share one
   * write (a stream quiet for longer writes at once); 0 writes every event loop tick.
   */
  WRITE_COALESCE_MS: envInt(0, 1000, 30),
  /**
   * Milliseconds the coalescing window may widen to while writing saturates the process (60% of a
   * core for a second): fewer, fuller writes instead of falling behind. At or below WRITE_COALESCE_MS
   * the window never widens.
   */
  WRITE_COALESCE_MAX_MS: envInt(0, 10_000, 240),
}).superRefine((config, context) => {
  if (config.WORKERS > 1 && config.BROKER_URL.kind === 'memory') {
    const message = 'more than one worker needs a shared broker (redis:// or nats://): a memory:// broker lives in one process';
    context.addIssue({ code: 'custom', path: ['WORKERS'], message });
  }
});

/** The gateway's validated configuration. */
export type GatewayConfig = z.infer<typeof GatewayEnvSchema>;

/** Reads the gateway's configuration; the only reader of `process.env`. */
export function loadGatewayConfig(env: Record<string, string | undefined> = process.env): GatewayConfig {
  return parseEnv(GatewayEnvSchema, env);
}
