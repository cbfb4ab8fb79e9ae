import { SignJWT, type JWTPayload } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { collect } from '@ssehub/testkit';
import { expectError, postJson, readJson, startIngest, testAccess, type TestIngest } from './harness.js';

const SECRET = 'a-test-secret-of-at-least-32-characters!';
const AUTH_ENV = { JWT_SECRET: SECRET, PUBLIC_TOPICS: 'rooms/**', ANONYMOUS_PUBLISH_TOPICS: 'rooms/lobby' };

function token(sub: string, claims: JWTPayload = {}): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setExpirationTime('5m').sign(new TextEncoder().encode(SECRET));
}
const bearer = async (sub: string, claims: JWTPayload = {}) => ({ authorization: `Bearer ${await token(sub, claims)}` });
const NOTIFIER = { ssehub: { publish: ['users/*/notifications'], subscribe: [] } };
const READER = { ssehub: { subscribe: ['users/{sub}/**'] } };

describe('ingest authentication and authorisation', () => {
  let ingest: TestIngest;
  afterEach(() => ingest.close());
  const publish = (body: unknown, headers: Record<string, string> = {}) => postJson(`${ingest.url}/v1/publish`, body, headers);
  const event = (topic: string, n = 0) => ({ topic, type: 'note.new', data: { n } });

  it('asks for a token to publish outside ANONYMOUS_PUBLISH_TOPICS, with WWW-Authenticate', async () => {
    ingest = await startIngest({ access: testAccess(AUTH_ENV) });
    const response = await publish(event('users/ana/notifications'));
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await expectError(response, 401, 'unauthorized')).toContain('users/ana/notifications');
    expect((await publish(event('rooms/lobby'))).status).toBe(201);
  });

  it('publishes what the token grants and refuses a batch with one topic it does not, publishing none of it', async () => {
    ingest = await startIngest({ access: testAccess(AUTH_ENV) });
    const headers = await bearer('notifier', NOTIFIER);
    const subscriber = await collect(ingest.broker, ['users/ana/notifications']);
    expect((await publish(event('users/ana/notifications', 1), headers)).status).toBe(201);
    const batch = { events: [event('users/ana/notifications', 2), event('users/ana/secrets', 3)] };
    expect(await expectError(await publish(batch, headers), 403, 'forbidden')).toContain('"users/ana/secrets"');
    // Delivery is in order: once the sentinel after the refused batch is in, any of the batch would be too.
    expect((await publish(event('users/ana/notifications', 4), headers)).status).toBe(201);
    await subscriber.waitFor(2);
    expect(subscriber.events.map((e) => (e.data as { n: number }).n)).toEqual([1, 4]);
    subscriber.close();
  });

  it('takes the chat author from the token, and from the body only when anonymous', async () => {
    ingest = await startIngest({ access: testAccess(AUTH_ENV) });
    const subscriber = await collect(ingest.broker, ['rooms/lobby']);
    const named = await bearer('u-1', { name: 'Ana', ssehub: { publish: ['rooms/*'] } });
    await postJson(`${ingest.url}/v1/rooms/lobby/messages`, { text: 'signed', author: 'Mallory' }, named);
    await postJson(`${ingest.url}/v1/rooms/lobby/messages`, { text: 'by sub' }, await bearer('u-2', { ssehub: { publish: ['rooms/*'] } }));
    await postJson(`${ingest.url}/v1/rooms/lobby/messages`, { text: 'anon', author: 'Guest' });
    const events = await subscriber.waitFor(3);
    expect(events.map((e) => e.data)).toEqual([
      { text: 'signed', author: 'Ana' },
      { text: 'by sub', author: 'u-2' },
      { text: 'anon', author: 'Guest' },
    ]);
    await expectError(await postJson(`${ingest.url}/v1/rooms/private/messages`, { text: 'x' }), 401, 'unauthorized');
    subscriber.close();
  });

  it('guards history like subscribing: 401 without a token, 403 for another user, 200 for the owner', async () => {
    ingest = await startIngest({ access: testAccess(AUTH_ENV) });
    const url = `${ingest.url}/v1/topics/users/ana/notifications/history`;
    await expectError(await fetch(url), 401, 'unauthorized');
    await expectError(await fetch(url, { headers: await bearer('bob', READER) }), 403, 'forbidden');
    expect((await fetch(url, { headers: await bearer('ana', READER) })).status).toBe(200);
    expect((await fetch(`${url}?access_token=${await token('ana', READER)}`)).status).toBe(200);
    expect((await fetch(`${ingest.url}/v1/topics/rooms/lobby/history`)).status).toBe(200);
  });
});

describe('ingest limits and CORS', () => {
  let ingest: TestIngest;
  afterEach(() => ingest.close());
  const hits = async (limit: string): Promise<string | undefined> =>
    (await ingest.registry.metrics()).split('\n').find((l) => l.startsWith(`ssehub_limit_hits_total{limit="${limit}"}`))?.split(' ')[1];

  it('rate-limits each publisher with a token bucket: 429 with Retry-After, others unaffected', async () => {
    ingest = await startIngest({ access: testAccess(AUTH_ENV), limits: { PUBLISH_RATE_PER_S: 1, PUBLISH_BURST: 5, MAX_BATCH_EVENTS: 5 } });
    const ana = await bearer('ana', { ssehub: { publish: ['rooms/*'] } });
    const statuses: number[] = [];
    for (let n = 0; n < 7; n += 1) statuses.push((await postJson(`${ingest.url}/v1/publish`, { topic: 'rooms/a', type: 'x', data: n }, ana)).status);
    expect(statuses).toEqual([201, 201, 201, 201, 201, 429, 429]);
    const refused = await postJson(`${ingest.url}/v1/publish`, { topic: 'rooms/a', type: 'x', data: 0 }, ana);
    expect(refused.headers.get('retry-after')).toBe('1');
    await expectError(refused, 429, 'rate_limited');
    expect((await postJson(`${ingest.url}/v1/publish`, { topic: 'rooms/lobby', type: 'x', data: 0 })).status).toBe(201);
    expect(await hits('publish_rate')).toBe('3');
  });

  it('refuses a batch over MAX_BATCH_EVENTS and a body over MAX_BODY_BYTES, counting both', async () => {
    ingest = await startIngest({ maxBodyBytes: 1024, limits: { MAX_BATCH_EVENTS: 3 } });
    const events = Array.from({ length: 4 }, (_, n) => ({ topic: 'a', type: 'x', data: n }));
    expect(await expectError(await postJson(`${ingest.url}/v1/publish`, { events }), 400, 'invalid_event')).toMatch(/^events: at most 3/);
    await expectError(await postJson(`${ingest.url}/v1/publish`, { topic: 'a', type: 'x', data: 'x'.repeat(2000) }), 413, 'payload_too_large');
    expect(await hits('batch_events')).toBe('1');
    expect(await hits('body_bytes')).toBe('1');
  });

  it('answers the preflight of a JSON POST with Authorization and marks answers for an allowed origin', async () => {
    ingest = await startIngest({ limits: { CORS_ORIGINS: ['https://app.example'] } });
    const preflight = await fetch(`${ingest.url}/v1/publish`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/authorization.*content-type/);
    const response = await postJson(`${ingest.url}/v1/publish`, { topic: 'a', type: 'x', data: 1 }, { origin: 'https://app.example' });
    expect(response.status).toBe(201);
    expect(response.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
    const error = await postJson(`${ingest.url}/v1/publish`, '{', { origin: 'https://app.example' });
    expect(error.headers.get('access-control-allow-origin')).toBe('https://app.example');
    await readJson(error);
  });
});
