import { z } from 'zod';

const ConfigSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(8080),
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
    throw new Error(`invalid configuration: ${issue?.path.join('.') ?? '?'} ${issue?.message ?? 'is invalid'}`);
  }
  return { port: parsed.data.PORT };
}
