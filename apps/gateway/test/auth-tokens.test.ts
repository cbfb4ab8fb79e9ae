import { ready } from '@ssehub/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { useStreams } from './streams.js';
import { startGateway, testAccess, type GatewayHarness } from './gateway-harness.js';
import { OWN_NOTIFICATIONS, TEST_SECRET, errorOf, signHs256 } from './tokens.js';

const AUTH_ENV = { JWT_SECRET: TEST_SECRET, JWT_CLOCK_TOLERANCE_S: '0', PUBLIC_TOPICS: 'rooms/**' };

describe('GET /v1/events with tokens (HS256)', () => {
  let gateway: GatewayHarness;
  const events = (query: string, headers: Record<string, string> = {}): Promise<Response> =>
    fetch(`${gateway.url}/v1/events?${query}`, { headers: { accept: 'text/event-stream', ...headers } });
  afterEach(async () => {
    await gateway?.close();
  });
  const open = useStreams(() => gateway.url);

  it('reads a public topic without a token and asks for one elsewhere, with WWW-Authenticate', async () => {
    gateway = await startGateway({}, undefined, testAccess(AUTH_ENV));
    const client = await open('topic=rooms/a');
    await client.waitFor(ready, 'ready');
    const refused = await events('topic=users/ana/notifications');
    expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await errorOf(refused)).toMatchObject({ status: 401, code: 'unauthorized', message: expect.stringContaining('users/ana/notifications') });
  });

  it('accepts the token from the Authorization header, the ssehub_token cookie and the access_token query', async () => {
    gateway = await startGateway({}, undefined, testAccess(AUTH_ENV));
    const token = await signHs256('ana', OWN_NOTIFICATIONS);
    for (const [query, headers] of [
      ['', { authorization: `Bearer ${token}` }],
      ['', { cookie: `theme=dark; ssehub_token=${token}` }],
      [`&access_token=${token}`, {}],
    ] as const) {
      const client = await open(`topic=users/ana/notifications${query}`, headers);
      await client.waitFor(ready, 'ready');
      const id = await gateway.publish('users/ana/notifications', 1);
      await client.waitFor((c) => c.events().length === 1, 'the event');
      expect(client.events()[0]!.id).toBe(id);
      client.close();
    }
  });

  it('answers 403 naming the topic the token does not grant', async () => {
    gateway = await startGateway({}, undefined, testAccess(AUTH_ENV));
    const token = await signHs256('bob', OWN_NOTIFICATIONS);
    const response = await events('topic=users/bob/notifications&topic=users/ana/notifications', { authorization: `Bearer ${token}` });
    expect(await errorOf(response)).toMatchObject({ status: 403, code: 'forbidden', message: expect.stringContaining('"users/ana/notifications"') });
  });

  it.each([
    ['a token signed with another secret', () => signHs256('ana', OWN_NOTIFICATIONS, { secret: 'another-secret-of-at-least-32-characters' })],
    ['an expired token', () => signHs256('ana', OWN_NOTIFICATIONS, { expiresInS: -10 })],
    ['an unsigned token (alg none)', async () => `${b64({ alg: 'none' })}.${b64({ sub: 'ana', exp: 2e9, ...OWN_NOTIFICATIONS })}.`],
    ['garbage', async () => 'not.a.jwt'],
    ['a token without exp', async () => (await signHs256('ana', OWN_NOTIFICATIONS)).replace(/\..*\./, `.${b64({ sub: 'ana' })}.`)],
  ])('refuses %s with 401, even on a public topic', async (_name, make) => {
    gateway = await startGateway({}, undefined, testAccess(AUTH_ENV));
    const response = await events('topic=rooms/a', { authorization: `Bearer ${await make()}` });
    expect(await errorOf(response)).toMatchObject({ status: 401, code: 'unauthorized' });
  });

  it('ends a stream when its token expires with a comment, and a reconnect with that token learns why', async () => {
    gateway = await startGateway({}, undefined, testAccess(AUTH_ENV));
    const token = await signHs256('ana', OWN_NOTIFICATIONS, { expiresInS: 2 });
    const client = await open('topic=users/ana/notifications', { authorization: `Bearer ${token}` });
    const anonymous = await open('topic=rooms/a');
    await client.waitFor(ready, 'ready');
    const started = Date.now();
    await client.ended;
    expect(Date.now() - started).toBeLessThan(3500);
    expect(client.comments.at(-1)).toMatch(/token expired/);
    const again = await events('topic=users/ana/notifications', { authorization: `Bearer ${token}` });
    expect(await errorOf(again)).toEqual({ status: 401, code: 'unauthorized', message: 'the token expired' });
    expect(anonymous.messages.length).toBeGreaterThan(0);
    await anonymous.waitFor(() => true, 'still open');
  });

  it('counts a token user in presence by subject, ignoring ?user=, and guards presence like subscribe', async () => {
    gateway = await startGateway({}, undefined, testAccess({ ...AUTH_ENV, ANONYMOUS_PUBLISH_TOPICS: 'rooms/chat' }));
    const token = await signHs256('ana', { ssehub: { subscribe: ['teams/*'] } });
    const anon = await open('topic=rooms/a&user=mallory');
    const chat = await open('topic=rooms/chat&user=guest');
    const member = await open('topic=teams/x&user=mallory', { authorization: `Bearer ${token}` });
    for (const client of [anon, chat, member]) await client.waitFor(ready, 'ready');
    const list = async (topic: string, headers: Record<string, string> = {}) => {
      const response = await fetch(`${gateway.url}/v1/presence/${topic}`, { headers });
      return response.status === 200 ? ((await response.json()) as { members: { user: string }[] }).members.map((m) => m.user) : errorOf(response);
    };
    await expect.poll(() => list('teams/x', { authorization: `Bearer ${token}` })).toEqual(['ana']);
    // A self-declared name counts only where anyone may read and post anyway.
    await expect.poll(() => list('rooms/chat')).toEqual(['guest']);
    expect(await list('rooms/a')).toEqual([]);
    expect(await list('teams/x')).toMatchObject({ status: 401 });
    const other = await signHs256('bob', OWN_NOTIFICATIONS);
    expect(await list('teams/x', { authorization: `Bearer ${other}` })).toMatchObject({ status: 403, code: 'forbidden' });
  });
});

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
