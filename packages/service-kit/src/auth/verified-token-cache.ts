import type { Principal } from './principal.js';

/** Verified tokens remembered per process, at most; the oldest is forgotten first. @default 10000 */
export const VERIFIED_TOKEN_CACHE_SIZE = 10_000;

/** Principals of tokens already verified, by the token's text, until the token expires. */
export interface VerifiedTokenCache {
  /** The principal of a token verified before and still unexpired, else undefined. */
  get(token: string): Principal | undefined;
  /** Remembers a verified token's principal; answers it. */
  add(token: string, principal: Principal): Principal;
}

/**
 * A reconnecting client (a deploy, a network blip: every stream at once) sends the token it was
 * admitted with; its signature and claims were checked then, and only time can change the answer.
 * An entry is good while jose's expiry check would still pass: whole seconds before `exp` plus the tolerance.
 */
export function createVerifiedTokenCache(maxSize = VERIFIED_TOKEN_CACHE_SIZE): VerifiedTokenCache {
  const principals = new Map<string, Principal>();
  return {
    get(token) {
      const principal = principals.get(token);
      if (principal === undefined) return undefined;
      if (Math.floor(Date.now() / 1000) < principal.expiresAtMs / 1000) return principal;
      principals.delete(token);
      return undefined;
    },
    add(token, principal) {
      if (principals.size >= maxSize) principals.delete(principals.keys().next().value!);
      principals.set(token, principal);
      return principal;
    },
  };
}
