import type { IncomingMessage } from 'node:http';
import { SsehubError, compileTopicPatterns, type TopicPatternSet } from '@ssehub/protocol';
import type { AuthConfig } from './auth-env.js';
import { createJwtVerifier, type JoseFunctions } from './jwt-verifier.js';
import type { Principal } from './principal.js';
import { readToken } from './token-source.js';

/** Who may read and publish which topics; one policy per process, shared by gateway and ingest. */
export interface AccessPolicy {
  /** True when tokens can be verified (`JWT_SECRET` or `JWKS_URL` is set). */
  readonly acceptsTokens: boolean;
  readonly publicTopics: TopicPatternSet;
  readonly anonymousPublishTopics: TopicPatternSet;
  /** The caller's principal, or undefined without a token. A token that is present but invalid is a 401. */
  authenticate(req: IncomingMessage): Promise<Principal | undefined>;
  /** Throws 401 (no token) or 403 (not granted) naming the first topic the caller may not read. */
  authorizeRead(principal: Principal | undefined, topics: readonly string[]): void;
  /** Throws 401 (no token) or 403 (not granted) naming the first topic the caller may not publish to. */
  authorizeWrite(principal: Principal | undefined, topics: readonly string[]): void;
  /**
   * True when a self-declared name (chat author, presence user) is acceptable: the caller is anonymous
   * and anyone may both read and publish every one of the topics, so nobody's identity is at stake.
   */
  allowsSelfDeclaredName(principal: Principal | undefined, topics: readonly string[]): boolean;
}

/** Options of {@link createAccessPolicy}. */
export interface AccessPolicyOptions {
  readonly config: AuthConfig;
  /** `jose` (or `{ jwtVerify, createRemoteJWKSet }` from it). */
  readonly jose: JoseFunctions;
}

function refuse(principal: Principal | undefined, verb: 'subscribe to' | 'publish to', topic: string): never {
  if (principal === undefined) throw new SsehubError('unauthorized', `a token is needed to ${verb} "${topic}"`);
  throw new SsehubError('forbidden', `the token does not allow to ${verb} "${topic}"`);
}

/** Builds the policy from `PUBLIC_TOPICS`, `ANONYMOUS_PUBLISH_TOPICS` and the JWT settings. */
export function createAccessPolicy(options: AccessPolicyOptions): AccessPolicy {
  const verify = createJwtVerifier(options.config, options.jose);
  const publicTopics = compileTopicPatterns(options.config.PUBLIC_TOPICS);
  const anonymousPublishTopics = compileTopicPatterns(options.config.ANONYMOUS_PUBLISH_TOPICS);
  return {
    acceptsTokens: verify !== undefined,
    publicTopics,
    anonymousPublishTopics,
    async authenticate(req) {
      const token = readToken(req);
      if (token === undefined) return undefined;
      if (verify === undefined) throw new SsehubError('unauthorized', 'this service is not configured to accept tokens');
      return verify(token);
    },
    authorizeRead(principal, topics) {
      for (const topic of topics) {
        if (publicTopics.matches(topic) || principal?.subscribe.matches(topic, principal.subject)) continue;
        refuse(principal, 'subscribe to', topic);
      }
    },
    authorizeWrite(principal, topics) {
      for (const topic of topics) {
        if (anonymousPublishTopics.matches(topic) || principal?.publish.matches(topic, principal.subject)) continue;
        refuse(principal, 'publish to', topic);
      }
    },
    allowsSelfDeclaredName(principal, topics) {
      return principal === undefined && topics.every((topic) => publicTopics.matches(topic) && anonymousPublishTopics.matches(topic));
    },
  };
}
