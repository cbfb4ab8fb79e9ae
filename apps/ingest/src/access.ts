import { SsehubError } from '@ssehub/protocol';
import { createRateLimiter, type AccessPolicy, type LimitHits, type Principal } from '@ssehub/service-kit';
import type { IncomingMessage } from 'node:http';
import type { Request, RequestHandler, Response } from 'express';

/** Reads and verifies the caller's token (401 when present but invalid); anonymous callers pass through. */
export function authenticate(access: AccessPolicy): RequestHandler {
  return async (req, res, next) => {
    res.locals.principal = await access.authenticate(req);
    next();
  };
}

/** The principal {@link authenticate} found, or undefined for an anonymous caller. */
export function principalOf(res: Response): Principal | undefined {
  return res.locals.principal as Principal | undefined;
}

/** The client's address as per-IP limits count it (trusted proxies and the IPv6 prefix applied). */
export type ClientAddress = (req: IncomingMessage) => string;

/** Options of {@link createPublishGate}. */
export interface PublishGateOptions {
  readonly access: AccessPolicy;
  readonly limitHits: LimitHits;
  readonly ratePerS: number;
  readonly burst: number;
  readonly clientAddress: ClientAddress;
}

/**
 * Who is calling, as limits and idempotency keys count it: `sub:<subject>` for a token, else
 * `ip:<client address>` (the address the per-IP limits use).
 */
export function callerOf(req: Request, res: Response, clientAddress: ClientAddress): string {
  const principal = principalOf(res);
  return principal === undefined ? `ip:${clientAddress(req)}` : `sub:${principal.subject}`;
}

/**
 * Throws unless the caller may publish these topics now: 401/403, or 429 with `Retry-After`. Answers
 * the caller ({@link callerOf}).
 */
export type PublishGate = (req: Request, res: Response, topics: readonly string[]) => string;

/**
 * Authorisation, then the per-publisher token bucket: each event costs one token, keyed by the token's
 * subject (so one user's tokens share a bucket) or by client IP for anonymous publishing. Per node.
 */
export function createPublishGate(options: PublishGateOptions): PublishGate {
  const limiter = createRateLimiter({ ratePerS: options.ratePerS, burst: options.burst });
  return (req, res, topics) => {
    options.access.authorizeWrite(principalOf(res), topics);
    const caller = callerOf(req, res, options.clientAddress);
    const waitS = limiter.take(caller, topics.length);
    if (waitS === 0) return caller;
    options.limitHits('publish_rate');
    res.setHeader('retry-after', String(waitS));
    throw new SsehubError('rate_limited', `publishing too fast: at most ${options.ratePerS} events per second; retry in ${waitS} s`);
  };
}
