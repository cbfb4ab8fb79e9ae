import { hostname } from 'node:os';
import { parseBrokerUrl } from '@ssehub/broker';
import { z } from 'zod';
import { envEnum, envInt, envString } from './env.js';

/** A configuration value that stops the process at start; the message is one line naming the variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Log levels LOG_LEVEL accepts. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const BrokerUrlSchema = z.preprocess(
  (value) => (value === '' || value === undefined ? 'memory://' : value),
  z.string().superRefine((value, context) => {
    try {
      parseBrokerUrl(value);
    } catch (error) {
      context.addIssue({ code: 'custom', message: (error as Error).message });
    }
  }),
);

/** The variables every app reads (DESIGN.md, Configuration). */
export const BASE_ENV_SHAPE = {
  PORT: envInt(1, 65_535, 8080),
  BROKER_URL: BrokerUrlSchema,
  BROKER_PREFIX: envString('ssehub').pipe(
    z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/, { message: 'expected 1-32 characters of [a-z0-9_-] starting with a letter' }),
  ),
  NODE_ID: envString(hostname()).pipe(z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, { message: 'expected 1-64 characters of [A-Za-z0-9_.-]' })),
  HISTORY_MAX_PER_TOPIC: envInt(1, 10_000_000, 1000),
  HISTORY_MAX_AGE_S: envInt(1, 365 * 86_400, 86_400),
  LOG_LEVEL: envEnum(LOG_LEVELS, 'info'),
};

/** Parses the environment with a zod object schema, throwing one {@link ConfigError} line naming the variable. */
export function parseEnv<T extends z.ZodObject>(schema: T, env: Record<string, string | undefined>): z.infer<T> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const name = String(issue.path[0] ?? 'environment');
  const got = env[name] === undefined ? '' : ` (got "${String(env[name]).slice(0, 100)}")`;
  throw new ConfigError(`invalid configuration: ${name}: ${issue.message}${got}`);
}
