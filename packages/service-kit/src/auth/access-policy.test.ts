import type { IncomingMessage } from 'node:http';
import { SsehubError } from '@ssehub/protocol';
import { describe, expect, it } from 'vitest';
import { createAccessPolicy } from './access-policy.js';
import type { AuthConfig } from './auth-env.js';
import type { JoseFunctions } from './jwt-verifier.js';
import { toPrincipal, displayName } from './principal.js';

// No key is configured in these cases, so jose is never reached; the JWT paths are tested with jose in the apps.
const unreachableJose: JoseFunctions = {
  jwtVerify: () => Promise.reject(new Error('not reached')),
  createRemoteJWKSet: () => () => Promise.reject(new Error('not reached')),
};

function policy(config: Partial<AuthConfig>) {
  const base: AuthConfig = {
    JWT_CLOCK_TOLERANCE_S: 0,
    JWKS_COOLDOWN_S: 30,
    PUBLIC_TOPICS: [],
    ANONYMOUS_PUBLISH_TOPICS: [],
    JWT_SECRET: undefined,
    JWKS_URL: undefined,
    JWT_ISSUER: undefined,
    JWT_AUDIENCE: undefined,
  };
  return createAccessPolicy({ config: { ...base, ...config }, jose: unreachableJose });
}

const ana = toPrincipal({ sub: 'ana', exp: 2e9, ssehub: { subscribe: ['users/{sub}/**', 'teams/*'], publish: ['users/*/notifications'] } }, 0);

function codeOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    if (error instanceof SsehubError) return `${error.code}: ${error.message}`;
    throw error;
  }
  return 'allowed';
}

describe('createAccessPolicy', () => {
  const access = policy({ PUBLIC_TOPICS: ['rooms/**'], ANONYMOUS_PUBLISH_TOPICS: ['rooms/demo'] });

  it('lets anyone read public topics and asks for a token for the rest', () => {
    expect(codeOf(() => access.authorizeRead(undefined, ['rooms/a', 'rooms/b/c']))).toBe('allowed');
    expect(codeOf(() => access.authorizeRead(undefined, ['rooms/a', 'users/ana/notifications']))).toBe(
      'unauthorized: a token is needed to subscribe to "users/ana/notifications"',
    );
  });

  it('grants a token its patterns with {sub} as its subject, and names the topic it refuses', () => {
    expect(codeOf(() => access.authorizeRead(ana, ['users/ana/notifications', 'teams/x', 'rooms/a']))).toBe('allowed');
    expect(codeOf(() => access.authorizeRead(ana, ['users/bob/notifications']))).toBe(
      'forbidden: the token does not allow to subscribe to "users/bob/notifications"',
    );
    expect(codeOf(() => access.authorizeWrite(ana, ['users/bob/notifications']))).toBe('allowed');
    expect(codeOf(() => access.authorizeWrite(ana, ['rooms/a']))).toMatch(/^forbidden: .*"rooms\/a"/);
  });

  it('allows anonymous publishing only where configured', () => {
    expect(codeOf(() => access.authorizeWrite(undefined, ['rooms/demo']))).toBe('allowed');
    expect(codeOf(() => access.authorizeWrite(undefined, ['rooms/other']))).toMatch(/^unauthorized: /);
    expect(codeOf(() => policy({}).authorizeWrite(undefined, ['rooms/demo']))).toMatch(/^unauthorized: /);
  });

  it('accepts self-declared names only from anonymous callers on topics open to anyone both ways', () => {
    expect(access.allowsSelfDeclaredName(undefined, ['rooms/demo'])).toBe(true);
    expect(access.allowsSelfDeclaredName(undefined, ['rooms/demo', 'rooms/other'])).toBe(false);
    expect(access.allowsSelfDeclaredName(ana, ['rooms/demo'])).toBe(false);
  });

  it('answers 401 to any token when no key is configured, and undefined without a token', async () => {
    const request = (headers: Record<string, string>) => ({ url: '/', headers }) as unknown as IncomingMessage;
    await expect(access.authenticate(request({}))).resolves.toBeUndefined();
    await expect(access.authenticate(request({ authorization: 'Bearer x.y.z' }))).rejects.toMatchObject({ code: 'unauthorized' });
    expect(access.acceptsTokens).toBe(false);
  });
});

describe('toPrincipal', () => {
  it.each([
    ['no sub', { exp: 1 }],
    ['a sub with a newline', { sub: 'a\nb', exp: 1 }],
    ['a sub with outer spaces', { sub: ' a', exp: 1 }],
    ['no exp', { sub: 'a' }],
    ['a claim with a NATS wildcard', { sub: 'a', exp: 1, ssehub: { subscribe: ['users.>'] } }],
    ['a claim that is not a list', { sub: 'a', exp: 1, ssehub: { publish: 'rooms/**' } }],
  ])('refuses %s', (_name, payload) => {
    expect(codeOf(() => toPrincipal(payload, 0))).toMatch(/^unauthorized: /);
  });

  it('uses the name as display name when usable, else the subject', () => {
    expect(displayName(toPrincipal({ sub: 'u1', exp: 1, name: ' Ana ' }, 0))).toBe('Ana');
    expect(displayName(toPrincipal({ sub: 'u1', exp: 1, name: 'x'.repeat(65) }, 0))).toBe('u1');
    expect(toPrincipal({ sub: 'u1', exp: 100 }, 5).expiresAtMs).toBe(105_000);
  });
});
