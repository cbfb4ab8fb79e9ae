import { z } from 'zod';

const PORT_MESSAGE = 'must be a TCP port number (0-65535)';

const ConfigSchema = z.object({
  PORT: z.coerce.number({ error: PORT_MESSAGE }).int(PORT_MESSAGE).min(0, PORT_MESSAGE).max(65_535, PORT_MESSAGE).default(8080),
});

/** Settings of the `web` service. */
export interface WebConfig {
  /** Port to listen on (`PORT`). @default 8080 */
  readonly port: number;
}

/** Reads the service's settings; throws one line naming the variable when a value is bad. */
export function loadConfig(env: NodeJS.ProcessEnv): WebConfig {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue?.path[0] ?? 'configuration');
    throw new Error(`invalid configuration: ${name} ${issue?.message ?? 'is invalid'}, got ${JSON.stringify(env[name])}`);
  }
  return { port: parsed.data.PORT };
}
