import { SsehubError } from '@ssehub/protocol';
import type { AuthConfig } from './auth-env.js';
import { createHs256FastPath } from './hs256-fast-path.js';
import { createVerifiedTokenCache } from './verified-token-cache.js';
import { toPrincipal, type Principal } from './principal.js';

/** The header fields a key is chosen by. */
export interface JwtHeader {
  readonly alg?: string;
  readonly kid?: string;
  readonly [parameter: string]: unknown;
}

/** Resolves the key for a token; jose's remote JWKS is one. `token` is jose's own object, only passed on. */
export type JwtKeyResolver = (header: JwtHeader, token: never) => Promise<unknown>;

/**
 * The two jose functions the verifier calls. Each app passes them from its own `jose` import, so this
 * package holds the logic once without depending on jose itself.
 */
export interface JoseFunctions {
  // Method syntax on purpose: its parameters are checked bivariantly, so jose's overloads fit.
  jwtVerify(jwt: string, key: unknown, options: JwtVerifyOptions): Promise<{ payload: Readonly<Record<string, unknown>> }>;
  createRemoteJWKSet(url: URL, options: { cooldownDuration: number; cacheMaxAge: number; timeoutDuration: number }): JwtKeyResolver;
}

/** The checks jose applies besides the signature. */
interface JwtVerifyOptions {
  algorithms: string[];
  issuer?: string;
  audience?: string;
  clockTolerance: number;
  requiredClaims: string[];
}

/** Checks a token and answers its principal; throws 401 `unauthorized`, or 503 when keys cannot be fetched. */
export type TokenVerifier = (token: string) => Promise<Principal>;

/** The verifier settings (a subset of {@link AuthConfig}). */
export type JwtVerifierConfig = Pick<
  AuthConfig,
  'JWT_SECRET' | 'JWKS_URL' | 'JWT_ISSUER' | 'JWT_AUDIENCE' | 'JWT_CLOCK_TOLERANCE_S' | 'JWKS_COOLDOWN_S'
>;

// jose error codes that mean "this token is not acceptable"; anything else (JWKS unreachable, timed
// out, malformed key set) is the service's problem, not the caller's.
const TOKEN_FAULTS = new Set([
  'ERR_JWT_CLAIM_VALIDATION_FAILED',
  'ERR_JWT_INVALID',
  'ERR_JWS_INVALID',
  'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
  'ERR_JOSE_ALG_NOT_ALLOWED',
  'ERR_JOSE_NOT_SUPPORTED',
  'ERR_JWKS_NO_MATCHING_KEY',
  'ERR_JWKS_MULTIPLE_MATCHING_KEYS',
  'ERR_JWK_INVALID',
]);

function toSsehubError(error: unknown): SsehubError {
  if (error instanceof SsehubError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ERR_JWT_EXPIRED') return new SsehubError('unauthorized', 'the token expired');
  if (code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED') return new SsehubError('unauthorized', 'the token signature is not valid');
  if (typeof code === 'string' && TOKEN_FAULTS.has(code)) {
    return new SsehubError('unauthorized', `the token is not valid: ${String((error as Error).message).slice(0, 200)}`);
  }
  return new SsehubError('unavailable', 'the signing keys could not be fetched; retry shortly', 503, { cause: error });
}

/**
 * A verifier for HS256 tokens (`JWT_SECRET`) and RS256/ES256 tokens (`JWKS_URL`, cached and refetched
 * when an unknown `kid` shows up), or undefined when neither is configured. The algorithm list is fixed
 * by the configuration, never by the token, so an HS256 token signed with a public key gets nowhere.
 */
export function createJwtVerifier(config: JwtVerifierConfig, jose: JoseFunctions): TokenVerifier | undefined {
  const secret = config.JWT_SECRET === undefined ? undefined : new TextEncoder().encode(config.JWT_SECRET);
  const jwks =
    config.JWKS_URL === undefined
      ? undefined
      : jose.createRemoteJWKSet(new URL(config.JWKS_URL), {
          cooldownDuration: config.JWKS_COOLDOWN_S * 1000,
          cacheMaxAge: 10 * 60_000,
          timeoutDuration: 5000,
        });
  if (secret === undefined && jwks === undefined) return undefined;
  const algorithms = [...(secret ? ['HS256'] : []), ...(jwks ? ['RS256', 'ES256'] : [])];
  // jose checks `alg` against `algorithms` before asking for a key.
  const getKey = (header: JwtHeader, token: never): Promise<unknown> | Uint8Array => {
    if (header.alg === 'HS256' && secret) return secret;
    if (header.alg !== 'HS256' && jwks) return jwks(header, token);
    throw new SsehubError('unauthorized', `tokens signed with ${String(header.alg)} are not accepted`);
  };
  const options: JwtVerifyOptions = {
    algorithms,
    clockTolerance: config.JWT_CLOCK_TOLERANCE_S,
    requiredClaims: ['exp', 'sub'],
    ...(config.JWT_ISSUER === undefined ? {} : { issuer: config.JWT_ISSUER }),
    ...(config.JWT_AUDIENCE === undefined ? {} : { audience: config.JWT_AUDIENCE }),
  };
  const fastPath = secret && createHs256FastPath(secret, { ...options, clockToleranceS: config.JWT_CLOCK_TOLERANCE_S });
  // Only secret-signed tokens are remembered: a JWKS key that is withdrawn must stop its tokens at once.
  const verified = createVerifiedTokenCache();
  return async (token) => {
    const known = verified.get(token);
    if (known !== undefined) return known;
    try {
      const fast = fastPath?.(token);
      if (fast !== undefined) return verified.add(token, toPrincipal(fast, config.JWT_CLOCK_TOLERANCE_S));
      const { payload } = await jose.jwtVerify(token, getKey, options);
      return toPrincipal(payload, config.JWT_CLOCK_TOLERANCE_S);
    } catch (error) {
      throw toSsehubError(error);
    }
  };
}
