import { MAX_TOPIC_PATTERNS, TopicPatternSchema } from '@ssehub/protocol';
import { z } from 'zod';
import { envInt, envList } from '../env.js';

const blankAsUnset = (value: unknown): unknown => (value === '' ? undefined : value);

/** A comma-separated list of topic patterns (`rooms/**`, `news/*`); empty by default. */
export function envTopicPatterns() {
  return envList().pipe(z.array(TopicPatternSchema).max(MAX_TOPIC_PATTERNS, { message: `at most ${MAX_TOPIC_PATTERNS} patterns` }));
}

/** The authentication and authorisation variables of gateway and ingest. */
export const AUTH_ENV_SHAPE = {
  /** HS256 shared secret; at least 32 characters. */
  JWT_SECRET: z.preprocess(
    blankAsUnset,
    z.string().min(32, { message: 'expected at least 32 characters (256 bits) of secret' }).optional(),
  ),
  /** URL of a JSON Web Key Set for RS256/ES256 tokens. */
  JWKS_URL: z.preprocess(blankAsUnset, z.url({ protocol: /^https?$/, message: 'expected an http(s) URL' }).optional()),
  /** Required `iss` claim, when set. */
  JWT_ISSUER: z.preprocess(blankAsUnset, z.string().optional()),
  /** Required `aud` claim, when set. */
  JWT_AUDIENCE: z.preprocess(blankAsUnset, z.string().optional()),
  /** Seconds of clock skew allowed on `exp`/`nbf`; a stream ends this long after `exp`. @default 5 */
  JWT_CLOCK_TOLERANCE_S: envInt(0, 300, 5),
  /** Seconds after a JWKS fetch before an unknown `kid` may trigger another. @default 30 */
  JWKS_COOLDOWN_S: envInt(0, 3600, 30),
  /** Topic patterns anyone may read without a token. @default "" (none) */
  PUBLIC_TOPICS: envTopicPatterns(),
  /** Topic patterns anyone may publish to without a token. @default "" (none) */
  ANONYMOUS_PUBLISH_TOPICS: envTopicPatterns(),
};

const AuthEnvSchema = z.object(AUTH_ENV_SHAPE);

/** The validated authentication settings. */
export type AuthConfig = z.infer<typeof AuthEnvSchema>;
