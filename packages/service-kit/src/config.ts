import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { parseBrokerUrl, type BrokerUrl } from '@ssehub/broker';
import { z } from 'zod';
import { envEnum, envInt, envOptional, envString } from './env.js';

/** A configuration value that stops the process at start; the message is one line naming the variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Log levels LOG_LEVEL accepts. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** `BROKER_URL`, parsed here once; the apps and `connectBroker` take the result. */
const BrokerUrlSchema = z.preprocess(
  (value) => (value === '' || value === undefined ? 'memory://' : value),
  z.string().transform((value, context): BrokerUrl => {
    try {
      return parseBrokerUrl(value);
    } catch (error) {
      context.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  }),
);

const HOST_MESSAGE = 'expected an IP address (0.0.0.0, ::, 127.0.0.1, ...) or a host name';
// A host name as DNS spells one: letters, digits and hyphens in dot-separated labels.
const HOST_NAME_PATTERN = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** `HOST`: the address to listen on; unset listens on every interface, as Node does. */
function envHost() {
  return envOptional().pipe(
    z
      .string()
      .refine((value) => isIP(value) !== 0 || HOST_NAME_PATTERN.test(value), { message: HOST_MESSAGE })
      .optional(),
  );
}

/** The variables every app reads, broker or not: where it listens and how it names itself in logs. */
export const SERVICE_ENV_SHAPE = {
  /** Address to listen on; unset is every interface (`::` and `0.0.0.0`). */
  HOST: envHost(),
  PORT: envInt(1, 65_535, 8080),
  NODE_ID: envString(hostname()).pipe(z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, { message: 'expected 1-64 characters of [A-Za-z0-9_.-]' })),
  LOG_LEVEL: envEnum(LOG_LEVELS, 'info'),
};

/** The variables every app with a broker reads (docs/ARCHITECTURE.md, Configuration). */
export const BASE_ENV_SHAPE = {
  ...SERVICE_ENV_SHAPE,
  BROKER_URL: BrokerUrlSchema,
  BROKER_PREFIX: envString('ssehub').pipe(
    z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/, { message: 'expected 1-32 characters of [a-z0-9_-] starting with a letter' }),
  ),
  HISTORY_MAX_PER_TOPIC: envInt(1, 10_000_000, 1000),
  HISTORY_MAX_AGE_S: envInt(1, 365 * 86_400, 86_400),
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
