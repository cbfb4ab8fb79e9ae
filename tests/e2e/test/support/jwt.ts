import { createHmac } from 'node:crypto';

/** The HS256 secret the auth and hostile-input suites start servers with. */
export const E2E_JWT_SECRET = 'e2e-auth-secret-with-at-least-32-characters';

const base64url = (value: string): string => Buffer.from(value).toString('base64url');

/** Options of {@link signJwt}. */
export interface SignJwtOptions {
  /** Seconds until `exp`; negative for an expired token. @default 600 */
  readonly expiresInS?: number;
  readonly secret?: string;
  /** The header's `alg`; anything but HS256 leaves the signature empty (`none` forgeries). @default "HS256" */
  readonly alg?: string;
}

/**
 * An HS256 JWT signed with node:crypto, independently of the jose the apps verify with, so the tests
 * also prove the wire format: `sub`, `exp` and whatever `claims` add (`ssehub`, `name`, ...).
 */
export function signJwt(sub: string, claims: Record<string, unknown> = {}, options: SignJwtOptions = {}): string {
  const alg = options.alg ?? 'HS256';
  const header = base64url(JSON.stringify({ alg, typ: 'JWT' }));
  const exp = Math.floor(Date.now() / 1000) + (options.expiresInS ?? 600);
  const payload = base64url(JSON.stringify({ sub, exp, ...claims }));
  if (alg !== 'HS256') return `${header}.${payload}.`;
  const signature = createHmac('sha256', options.secret ?? E2E_JWT_SECRET).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}

/** `{authorization: "Bearer <token>"}`. */
export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}
