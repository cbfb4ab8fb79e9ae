import { SERVICE_ENV_SHAPE, parseEnv } from '@ssehub/service-kit';
import { z } from 'zod';

// The web service has no broker: it reads only what every app reads (HOST, PORT, NODE_ID, LOG_LEVEL).
const WebEnvSchema = z.object({ ...SERVICE_ENV_SHAPE });

/** Settings of the `web` service. */
export type WebConfig = z.infer<typeof WebEnvSchema>;

/** Reads the service's settings; throws a one-line `ConfigError` naming the first bad variable. */
export function loadWebConfig(env: Record<string, string | undefined> = process.env): WebConfig {
  return parseEnv(WebEnvSchema, env);
}
