import type { IncomingMessage, ServerResponse } from 'node:http';
import { SsehubError } from '@ssehub/protocol';
import {
  clientIp,
  createConnectionLimiter,
  createExpiryQueue,
  sendError,
  toWireError,
  type AccessPolicy,
  type ConnectionSlot,
  type ExpiryQueue,
  type LimitHits,
  type Logger,
  type Principal,
} from '@ssehub/service-kit';
import type { GatewayConfig } from './config.js';
import { RequestProblem, type EventsRequest } from './events-request.js';
import { commentFrame, type WireFrame } from './frames.js';

/** The settings the guard reads. */
export type StreamGuardConfig = Pick<GatewayConfig, 'MAX_CONNECTIONS_PER_USER' | 'MAX_CONNECTIONS_PER_IP' | 'TRUST_PROXY_HOPS' | 'CORS_ORIGINS'> &
  Partial<Pick<GatewayConfig, 'IPV6_PREFIX_BITS'>>;

/** Options of {@link createStreamGuard}. */
export interface StreamGuardOptions {
  readonly access: AccessPolicy;
  readonly config: StreamGuardConfig;
  readonly limitHits: LimitHits;
  readonly logger: Logger;
}

/** A stream the guard let in. */
export interface Admission {
  /** Who the stream counts as in presence (see {@link presenceUser}), or nobody. */
  readonly user: string | undefined;
  /**
   * Calls `end` with a last frame when the token expires (one node-wide timer); never for anonymous
   * streams. The client reconnects, and a reconnect with the old token is answered 401 "the token expired".
   */
  onExpiry(end: (lastFrame: WireFrame) => void): void;
  /** Gives back the connection slot and forgets the expiry; the stream calls it once it closed. */
  release(): void;
}

/** Authentication, authorisation and connection limits in front of the gateway's routes (CORS is the request edge's). */
export interface StreamGuard {
  /** Lets a validated stream request in, or throws a 401/403/429/503 {@link SsehubError}. */
  admit(req: IncomingMessage, res: ServerResponse, request: EventsRequest): Promise<Admission>;
  /** Throws unless the caller may read `topic` (presence). */
  authorizeRead(req: IncomingMessage, topic: string): Promise<void>;
  /** Answers a refused request as JSON, counting the limit it hit. */
  refuse(res: ServerResponse, problem: unknown): void;
  close(): void;
}

/** The last frame of a stream whose token expired: a comment, so it never moves the client's cursor. */
const TOKEN_EXPIRED_FRAME = commentFrame('token expired; reconnect with a fresh token');

/** Builds the guard; one per gateway, its expiry timer shared by every stream of the node. */
export function createStreamGuard(options: StreamGuardOptions): StreamGuard {
  const { access, config, limitHits, logger } = options;
  const limiter = createConnectionLimiter({ perUser: config.MAX_CONNECTIONS_PER_USER, perIp: config.MAX_CONNECTIONS_PER_IP });
  const expiry = createExpiryQueue();

  async function admit(req: IncomingMessage, res: ServerResponse, request: EventsRequest): Promise<Admission> {
    const principal = await access.authenticate(req);
    access.authorizeRead(principal, request.topics);
    // No listener for this: a stream holds as few as it can, and `closed` tells after the fact.
    if (res.closed) throw new SsehubError('bad_request', 'the client went away');
    const slot = limiter.acquire(() => clientIp(req, config.TRUST_PROXY_HOPS, config.IPV6_PREFIX_BITS), principal?.subject);
    if (typeof slot === 'string') {
      limitHits(slot);
      const who = slot === 'connections_per_user' ? 'this user' : 'this address';
      throw new SsehubError('too_many_connections', `too many open streams for ${who} on this node; close one first`);
    }
    return new StreamAdmission(presenceUser(access, principal, request), principal, slot, expiry);
  }

  function refuse(res: ServerResponse, problem: unknown): void {
    if (res.headersSent || res.destroyed) return;
    if (problem instanceof RequestProblem && problem.limit !== undefined) limitHits(problem.limit);
    const wire = toWireError(problem, { internal: 'the request could not be checked' });
    if (wire.code === 'internal') logger.error({ err: problem }, 'request guard failed');
    sendError(res, wire.code, wire.message, wire.headers);
  }

  return {
    admit,
    async authorizeRead(req, topic) {
      access.authorizeRead(await access.authenticate(req), [topic]);
    },
    refuse,
    close: () => expiry.close(),
  };
}

/** An admitted stream's slot and token expiry: fields and shared methods, no closures while idle. */
class StreamAdmission implements Admission {
  private forgetExpiry: (() => void) | undefined;

  constructor(
    readonly user: string | undefined,
    private readonly principal: Principal | undefined,
    private readonly slot: ConnectionSlot,
    private readonly expiry: ExpiryQueue,
  ) {}

  onExpiry(end: (lastFrame: WireFrame) => void): void {
    if (this.principal === undefined) return;
    this.forgetExpiry = this.expiry.add(this.principal.expiresAtMs, () => end(TOKEN_EXPIRED_FRAME));
  }

  release(): void {
    this.slot.release();
    this.forgetExpiry?.();
    this.forgetExpiry = undefined;
  }
}

/**
 * Presence is opt-in: a stream counts only when it names a `?user=`. With a token it counts as the
 * token's subject whatever the parameter says; without one, the name is taken as given only where
 * anyone may read and publish every topic of the stream (the anonymous chat), else it is not counted.
 */
function presenceUser(access: AccessPolicy, principal: Principal | undefined, request: EventsRequest): string | undefined {
  if (request.user === undefined) return undefined;
  if (principal !== undefined) return principal.subject;
  return access.allowsSelfDeclaredName(undefined, request.topics) ? request.user : undefined;
}
