import { createHmac } from 'node:crypto';
import { createJwtVerifier, type JoseFunctions, type JwtVerifierConfig } from '@ssehub/service-kit';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TEST_SECRET, signHs256 } from './tokens.js';

const CONFIG: JwtVerifierConfig = { JWT_SECRET: TEST_SECRET, JWT_CLOCK_TOLERANCE_S: 0, JWKS_COOLDOWN_S: 30 };
const b64 = (value: unknown): string => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const sign = (signed: string, secret = TEST_SECRET): string => `${signed}.${createHmac('sha256', secret).update(signed).digest('base64url')}`;
const token = (header: unknown, claims: unknown): string => sign(`${b64(header)}.${b64(claims)}`);
const now = (): number => Math.floor(Date.now() / 1000);
const GRANT = { ssehub: { subscribe: ['users/{sub}/**'] } };

/** A verifier over real jose that counts how often jose was asked. */
function countingVerifier(config: JwtVerifierConfig = CONFIG) {
  const calls = { jose: 0 };
  const jose: JoseFunctions = {
    jwtVerify: (jwt, key, options) => {
      calls.jose += 1;
      return jwtVerify(jwt, key as Parameters<typeof jwtVerify>[1], options);
    },
    createRemoteJWKSet,
  };
  return { verify: createJwtVerifier(config, jose)!, calls };
}

/** What jose alone says of a token under the verifier's options. */
async function joseAccepts(jwt: string, config: JwtVerifierConfig = CONFIG): Promise<boolean> {
  const options = {
    algorithms: ['HS256'],
    clockTolerance: config.JWT_CLOCK_TOLERANCE_S,
    requiredClaims: ['exp', 'sub'],
    ...(config.JWT_ISSUER === undefined ? {} : { issuer: config.JWT_ISSUER }),
    ...(config.JWT_AUDIENCE === undefined ? {} : { audience: config.JWT_AUDIENCE }),
  };
  return jwtVerify(jwt, new TextEncoder().encode(config.JWT_SECRET), options).then(
    () => true,
    () => false,
  );
}

describe('the HS256 token verifier', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('verifies a plain HS256 token without jose, and a known one from memory', async () => {
    const { verify, calls } = countingVerifier();
    const jwt = await signHs256('ana', GRANT);
    await expect(verify(jwt)).resolves.toMatchObject({ subject: 'ana' });
    await expect(verify(jwt)).resolves.toMatchObject({ subject: 'ana' });
    expect(calls.jose).toBe(0);
  });

  it.each([
    ['a plain token', () => token({ alg: 'HS256', typ: 'JWT' }, { sub: 'ana', exp: now() + 60, ...GRANT })],
    ['an expired token', () => token({ alg: 'HS256' }, { sub: 'ana', exp: now() - 1 })],
    ['a token not valid before a later time', () => token({ alg: 'HS256' }, { sub: 'ana', exp: now() + 60, nbf: now() + 30 })],
    ['a token with a text iat', () => token({ alg: 'HS256' }, { sub: 'ana', exp: now() + 60, iat: 'yesterday' })],
    ['a token without sub', () => token({ alg: 'HS256' }, { exp: now() + 60 })],
    ['a token with a text exp', () => token({ alg: 'HS256' }, { sub: 'ana', exp: String(now() + 60) })],
    ['a token signed with another secret', () => sign(`${b64({ alg: 'HS256' })}.${b64({ sub: 'ana', exp: now() + 60 })}`, 'another-secret-of-at-least-32-characters')],
    ['an unsigned token', () => `${b64({ alg: 'none' })}.${b64({ sub: 'ana', exp: now() + 60 })}.`],
    ['a token of another algorithm', () => token({ alg: 'HS512' }, { sub: 'ana', exp: now() + 60 })],
    ['a token with a critical header', () => token({ alg: 'HS256', crit: ['b64'], b64: true }, { sub: 'ana', exp: now() + 60 })],
    ['a token with an unencoded payload', () => token({ alg: 'HS256', crit: ['b64'], b64: false }, { sub: 'ana', exp: now() + 60 })],
    ['a token whose claims are a list', () => token({ alg: 'HS256' }, [{ sub: 'ana' }])],
    ['a token whose claims are not UTF-8', () => sign(`${b64({ alg: 'HS256' })}.${Buffer.from([0x7b, 0xff, 0x7d]).toString('base64url')}`)],
    ['a token with a padded signature', () => `${token({ alg: 'HS256' }, { sub: 'ana', exp: now() + 60 })}=`],
    ['a token with four parts', () => `${token({ alg: 'HS256' }, { sub: 'ana', exp: now() + 60 })}.x`],
  ])('accepts or refuses %s exactly as jose does', async (_name, make) => {
    const jwt = make();
    const { verify } = countingVerifier();
    const accepted = await verify(jwt).then(
      () => true,
      () => false,
    );
    expect(accepted).toBe(await joseAccepts(jwt));
  });

  it('checks issuer and audience as jose does', async () => {
    const config = { ...CONFIG, JWT_ISSUER: 'https://issuer.example', JWT_AUDIENCE: 'ssehub' };
    const claims = { sub: 'ana', exp: now() + 60 };
    for (const extra of [{}, { iss: 'https://issuer.example' }, { iss: 'https://issuer.example', aud: 'ssehub' }, { iss: 'https://issuer.example', aud: ['x', 'ssehub'] }, { iss: 'other', aud: 'ssehub' }]) {
      const jwt = token({ alg: 'HS256' }, { ...claims, ...extra });
      const accepted = await countingVerifier(config).verify(jwt).then(
        () => true,
        () => false,
      );
      expect(accepted).toBe(await joseAccepts(jwt, config));
    }
  });

  it('stops accepting a remembered token once it expires, with jose saying why', async () => {
    vi.useFakeTimers({ now: Date.UTC(2026, 11, 3, 12, 0, 0) });
    const { verify } = countingVerifier();
    const jwt = token({ alg: 'HS256' }, { sub: 'ana', exp: now() + 10 });
    await expect(verify(jwt)).resolves.toMatchObject({ subject: 'ana' });
    vi.advanceTimersByTime(9_999);
    await expect(verify(jwt)).resolves.toMatchObject({ subject: 'ana' });
    vi.advanceTimersByTime(1);
    await expect(verify(jwt)).rejects.toMatchObject({ code: 'unauthorized', message: 'the token expired' });
  });
});
