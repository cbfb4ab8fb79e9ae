import { createHmac } from 'node:crypto';

/** A shared secret long enough for `JWT_SECRET` (32+ characters). */
export const TEST_JWT_SECRET = 'e2e-test-secret-with-at-least-32-characters';

const base64url = (value: string | Buffer): string => Buffer.from(value).toString('base64url');

/** Signs an HS256 JWT for `sub` with the `ssehub` claim; valid for an hour. */
export function signToken(sub: string, ssehub: { subscribe?: string[]; publish?: string[] }, secret = TEST_JWT_SECRET): string {
  const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = base64url(JSON.stringify({ sub, exp: Math.floor(Date.now() / 1000) + 3600, ssehub }));
  const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}
