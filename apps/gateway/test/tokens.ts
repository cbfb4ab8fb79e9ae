import { SignJWT, type JWTPayload } from 'jose';

/** The HS256 secret the auth tests configure. */
export const TEST_SECRET = 'a-test-secret-of-at-least-32-characters!';

/** Options of {@link signHs256}. */
export interface SignOptions {
  /** Seconds until `exp` (negative: already expired). @default 300 */
  readonly expiresInS?: number;
  readonly secret?: string;
  readonly issuer?: string;
  readonly audience?: string;
}

/** An HS256 token for `sub` with the given extra claims. */
export function signHs256(sub: string, claims: JWTPayload = {}, options: SignOptions = {}): Promise<string> {
  let jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + (options.expiresInS ?? 300));
  if (options.issuer) jwt = jwt.setIssuer(options.issuer);
  if (options.audience) jwt = jwt.setAudience(options.audience);
  return jwt.sign(new TextEncoder().encode(options.secret ?? TEST_SECRET));
}

/** The grants of a user who may read their own notifications. */
export const OWN_NOTIFICATIONS = { ssehub: { subscribe: ['users/{sub}/**'] } };

/** The JSON error of a response. */
export async function errorOf(response: Response): Promise<{ status: number; code: string; message: string }> {
  const body = (await response.json()) as { error: { code: string; message: string } };
  return { status: response.status, ...body.error };
}
