import {
  AUTH_ENV_SHAPE,
  BASE_ENV_SHAPE,
  CORS_ENV_SHAPE,
  HTTP_LIMITS_ENV_SHAPE,
  PUBLISH_LIMITS_ENV_SHAPE,
  envInt,
  parseEnv,
} from '@ssehub/service-kit';
import { z } from 'zod';

const IngestEnvSchema = z
  .object({
    ...BASE_ENV_SHAPE,
    ...AUTH_ENV_SHAPE,
    ...HTTP_LIMITS_ENV_SHAPE,
    ...PUBLISH_LIMITS_ENV_SHAPE,
    ...CORS_ENV_SHAPE,
    /** Largest request body accepted, in bytes (after decompression). @default 65536 */
    MAX_BODY_BYTES: envInt(64, 16 * 1024 * 1024, 65_536),
    /** Seconds a SIGTERM waits for in-flight requests before closing their connections (same name as the gateway's). @default 10 */
    DRAIN_TIMEOUT_S: envInt(0, 3600, 10),
    /** Bytes of events one history answer may carry; a longer page is cut short with a `next` cursor. @default 1048576 */
    HISTORY_MAX_RESPONSE_BYTES: envInt(1024, 64 * 1024 * 1024, 1_048_576),
    /** History reads one client address may have in progress at once, unread answers included (0 = no limit) → 429. @default 4 */
    MAX_HISTORY_READS_PER_IP: envInt(0, 1_000_000, 4),
  })
  // A full batch must fit in a full bucket, or it could never be accepted.
  .refine((config) => config.PUBLISH_BURST >= config.MAX_BATCH_EVENTS, {
    path: ['PUBLISH_BURST'],
    message: 'expected at least MAX_BATCH_EVENTS',
  });

/** The ingest service's configuration, parsed from the environment. */
export type IngestConfig = z.infer<typeof IngestEnvSchema>;

/** Reads the ingest configuration; throws a one-line `ConfigError` naming the first bad variable. */
export function loadIngestConfig(env: Record<string, string | undefined> = process.env): IngestConfig {
  return parseEnv(IngestEnvSchema, env);
}
