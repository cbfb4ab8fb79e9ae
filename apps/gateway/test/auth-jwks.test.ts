import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { freePort } from '@ssehub/testkit';
import { SignJWT, exportJWK, exportSPKI, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, testAccess, type GatewayHarness } from './gateway-harness.js';
import { OWN_NOTIFICATIONS, errorOf } from './tokens.js';

interface SigningKey {
  readonly kid: string;
  readonly alg: 'RS256' | 'ES256';
  readonly privateKey: CryptoKey;
  readonly jwk: JWK;
  readonly spki: string;
}

async function signingKey(kid: string, alg: 'RS256' | 'ES256'): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, alg, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' }, spki: await exportSPKI(publicKey) };
}

function sign(key: SigningKey, claims: Record<string, unknown> = OWN_NOTIFICATIONS, issuer = 'https://issuer.test'): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: key.alg, kid: key.kid })
    .setSubject('ana')
    .setIssuer(issuer)
    .setExpirationTime('5m')
    .sign(key.privateKey);
}

/** A JSON Web Key Set served on loopback; the test changes `keys` to rotate. */
interface JwksServer {
  readonly url: string;
  keys: JWK[];
  fetches: number;
  close(): Promise<void>;
}

async function startJwks(keys: JWK[]): Promise<JwksServer> {
  let server: Server;
  const jwks: JwksServer = {
    url: '',
    keys,
    fetches: 0,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  server = createServer((_req, res) => {
    jwks.fetches += 1;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: jwks.keys }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(jwks, { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json` });
}

describe('RS256 and ES256 tokens through a JWKS URL', () => {
  let rsa: SigningKey;
  let ec: SigningKey;
  let rotated: SigningKey;
  let jwks: JwksServer;
  let gateway: GatewayHarness;
  const subscribe = (token: string, topic = 'users/ana/notifications'): Promise<Response> =>
    fetch(`${gateway.url}/v1/events?topic=${topic}`, { headers: { accept: 'text/event-stream', authorization: `Bearer ${token}` } });
  async function expectStream(response: Response): Promise<void> {
    if (response.status !== 200) throw new Error(`expected a stream, got ${response.status} ${await response.text()}`);
    await response.body?.cancel();
  }

  beforeAll(async () => {
    [rsa, ec, rotated] = await Promise.all([signingKey('rsa-1', 'RS256'), signingKey('ec-1', 'ES256'), signingKey('rsa-2', 'RS256')]);
  });
  afterEach(() => gateway?.close());
  afterAll(() => jwks?.close());

  it('accepts RS256 and ES256 tokens from the key set, fetching it once', async () => {
    jwks = await startJwks([rsa.jwk, ec.jwk]);
    gateway = await startGateway({}, undefined, testAccess({ JWKS_URL: jwks.url, JWT_ISSUER: 'https://issuer.test' }));
    await expectStream(await subscribe(await sign(rsa)));
    await expectStream(await subscribe(await sign(ec)));
    expect(jwks.fetches).toBe(1);
  });

  it('refetches the key set when a token names an unknown kid, so a rotated key works at once', async () => {
    jwks = await startJwks([rsa.jwk]);
    gateway = await startGateway({}, undefined, testAccess({ JWKS_URL: jwks.url, JWKS_COOLDOWN_S: '0' }));
    await expectStream(await subscribe(await sign(rsa)));
    expect(await errorOf(await subscribe(await sign(rotated)))).toMatchObject({ status: 401 });
    jwks.keys = [rsa.jwk, rotated.jwk];
    await expectStream(await subscribe(await sign(rotated)));
    await expectStream(await subscribe(await sign(rsa)));
    expect(jwks.fetches).toBe(3);
  });

  it.each([
    ['a token from another issuer', async () => sign(rsa, OWN_NOTIFICATIONS, 'https://evil.test')],
    ['a key that is not in the set', async () => sign({ ...(await signingKey('rsa-1', 'RS256')) })],
    // Algorithm confusion: an HS256 token whose "secret" is the server's public key must get nowhere.
    [
      'an HS256 token keyed with the public key',
      async () => new SignJWT(OWN_NOTIFICATIONS).setProtectedHeader({ alg: 'HS256', kid: 'rsa-1' }).setSubject('ana').setExpirationTime('5m').sign(new TextEncoder().encode(rsa.spki)),
    ],
  ])('refuses %s with 401', async (_name, make) => {
    jwks = await startJwks([rsa.jwk]);
    gateway = await startGateway({}, undefined, testAccess({ JWKS_URL: jwks.url, JWT_ISSUER: 'https://issuer.test' }));
    expect(await errorOf(await subscribe(await make()))).toMatchObject({ status: 401, code: 'unauthorized' });
  });

  it('answers 503, not 401, while the key set cannot be fetched', async () => {
    gateway = await startGateway({}, undefined, testAccess({ JWKS_URL: `http://127.0.0.1:${await freePort()}/jwks.json` }));
    expect(await errorOf(await subscribe(await sign(rsa)))).toMatchObject({ status: 503, code: 'unavailable' });
  });
});
