import { isUtf8 } from 'node:buffer';
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The claim checks of a verification, as jose's `jwtVerify` takes them. */
export interface ClaimChecks {
  readonly issuer?: string;
  readonly audience?: string;
  readonly clockToleranceS: number;
  readonly requiredClaims: readonly string[];
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** A decoded JSON object, or undefined when the segment is not canonical base64url of strict UTF-8 JSON naming an object. */
function jsonObject(segment: string): Record<string, unknown> | undefined {
  // A length of 4n+1 is no base64 at all (jose refuses it); Buffer would decode it anyway.
  if (segment.length % 4 === 1 || !BASE64URL.test(segment)) return undefined;
  const bytes = Buffer.from(segment, 'base64url');
  if (!isUtf8(bytes)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
}

/**
 * Verifies the common shape of an HS256 token synchronously with node:crypto: a header of `alg: HS256`
 * without `crit`/`b64`, a canonical signature, claims that pass jose's checks. It answers the payload
 * only where jose's `jwtVerify` would accept the token with the same options, and undefined for
 * everything else, which then goes to jose: a refusal reads the same as before, and an unusual but
 * valid token is still accepted. jose's WebCrypto path imports the key and verifies on the thread
 * pool, several promise hops per token; this is one HMAC on the calling thread.
 */
export function createHs256FastPath(secret: Uint8Array, checks: ClaimChecks): (token: string) => Record<string, unknown> | undefined {
  const key = Buffer.from(secret);
  // The tokens of one issuer share their header text: the last one that passed is not parsed again.
  let plainHeader = '';
  return (token) => {
    const firstDot = token.indexOf('.');
    const lastDot = token.lastIndexOf('.');
    if (firstDot <= 0 || lastDot === firstDot || token.indexOf('.', firstDot + 1) !== lastDot) return undefined;
    const headerText = token.slice(0, firstDot);
    if (headerText !== plainHeader) {
      const header = jsonObject(headerText);
      if (header?.alg !== 'HS256' || Object.hasOwn(header, 'crit') || Object.hasOwn(header, 'b64')) return undefined;
      plainHeader = headerText;
    }
    const expected = createHmac('sha256', key).update(token.slice(0, lastDot)).digest();
    const signature = token.slice(lastDot + 1);
    // Only the canonical encoding of the digest (43 characters) is compared; any other spelling goes to jose.
    if (signature.length !== 43 || !BASE64URL.test(signature)) return undefined;
    if (!timingSafeEqual(Buffer.from(signature, 'base64url'), expected) || expected.toString('base64url') !== signature) return undefined;
    const claims = jsonObject(token.slice(firstDot + 1, lastDot));
    return claims !== undefined && claimsPass(claims, checks) ? claims : undefined;
  };
}

/** jose's `validateClaimsSet` for these options, answering instead of throwing. */
function claimsPass(claims: Record<string, unknown>, checks: ClaimChecks): boolean {
  for (const claim of checks.requiredClaims) if (!Object.hasOwn(claims, claim)) return false;
  if (checks.issuer !== undefined && claims.iss !== checks.issuer) return false;
  if (checks.audience !== undefined) {
    const { aud } = claims;
    if (aud !== checks.audience && !(Array.isArray(aud) && aud.includes(checks.audience))) return false;
  }
  const now = Math.floor(Date.now() / 1000);
  const { iat, nbf, exp } = claims;
  if (iat !== undefined && typeof iat !== 'number') return false;
  if (nbf !== undefined && (typeof nbf !== 'number' || nbf > now + checks.clockToleranceS)) return false;
  if (exp !== undefined && (typeof exp !== 'number' || exp <= now - checks.clockToleranceS)) return false;
  return true;
}
