// Per-user notifications over real HTTP against the built standalone: user B never receives user A's
// events — not live, not by resuming with A's Last-Event-ID, not through a wildcard, not through
// presence, not through history. Every delivery is checked by sequence number.
import { decodeCursor } from '@ssehub/protocol';
import { openSse, ready, type SseTestClient } from '@ssehub/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E2E_JWT_SECRET, bearer, signJwt } from './support/jwt.js';
import { startStandalone, type StandaloneProcess } from './support/standalone.js';

const OWN = { ssehub: { subscribe: ['users/{sub}/**'], publish: [] } };
const numbers = (client: SseTestClient): number[] => client.events().map((event) => event.data.n);
const seq = (id: string): number => decodeCursor(id)!.positions[0]!;
const alice = signJwt('alice', OWN);
const bob = signJwt('bob', OWN);
const notifier = signJwt('notifier', { ssehub: { publish: ['users/*/notifications'] } });
const A_TOPIC = 'users/alice/notifications';
const B_TOPIC = 'users/bob/notifications';

describe('per-user notifications stay with their user', () => {
  let server: StandaloneProcess;
  const clients: SseTestClient[] = [];
  /** The n of each event published, by topic, in publish order, and every id. */
  const sent: Record<string, { n: number; id: string }[]> = { [A_TOPIC]: [], [B_TOPIC]: [] };

  async function open(query: string, headers: Record<string, string>): Promise<SseTestClient> {
    const client = await openSse(`${server.url}/v1/events?${query}`, headers);
    clients.push(client);
    if (client.status === 200) await client.waitFor(ready, 'ssehub.ready');
    return client;
  }
  async function status(path: string, headers: Record<string, string> = {}): Promise<[number, string]> {
    const response = await fetch(`${server.url}${path}`, { headers: { accept: 'text/event-stream', ...headers } });
    const type = response.headers.get('content-type') ?? '';
    if (type.startsWith('text/event-stream')) {
      await response.body?.cancel();
      return [response.status, 'stream'];
    }
    return [response.status, ((await response.json()) as { error?: { code: string } }).error?.code ?? 'ok'];
  }

  beforeAll(async () => {
    server = await startStandalone({ JWT_SECRET: E2E_JWT_SECRET, JWT_CLOCK_TOLERANCE_S: '0' });
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await server?.stop();
  });

  it('delivers each user only their own events, live, in order', async () => {
    const a = await open(`topic=${A_TOPIC}`, bearer(alice));
    const b = await open(`topic=${B_TOPIC}`, { cookie: `ssehub_token=${bob}` });
    for (let n = 0; n < 30; n += 1) {
      const topic = n % 3 === 0 ? B_TOPIC : A_TOPIC;
      sent[topic]!.push({ n, id: await server.publish(topic, { n }, bearer(notifier)) });
    }
    // A sentinel last on each topic: events reach a stream in order, so anything stray arrived before it.
    for (const [topic, n] of [[A_TOPIC, 30], [B_TOPIC, 31]] as const) sent[topic]!.push({ n, id: await server.publish(topic, { n }, bearer(notifier)) });
    await a.waitFor((c) => numbers(c).includes(30), "alice's sentinel");
    await b.waitFor((c) => numbers(c).includes(31), "bob's sentinel");
    expect(numbers(a)).toEqual(sent[A_TOPIC]!.map((e) => e.n));
    expect(numbers(b)).toEqual(sent[B_TOPIC]!.map((e) => e.n));
    expect(b.raw()).not.toContain('alice');
  });

  it("refuses B every way into A's topic: direct, mixed in, wildcards, a forged subject, no token", async () => {
    const cases: [string, Record<string, string>, number, string][] = [
      [`topic=${A_TOPIC}`, bearer(bob), 403, 'forbidden'],
      [`topic=${B_TOPIC}&topic=${A_TOPIC}`, bearer(bob), 403, 'forbidden'],
      ['topic=users/*/notifications', bearer(bob), 400, 'invalid_topic'],
      ['topic=users/**', bearer(bob), 400, 'invalid_topic'],
      ['topic=users/%2A/notifications', bearer(bob), 400, 'invalid_topic'],
      ['topic=users.alice.notifications', bearer(bob), 400, 'invalid_topic'],
      ['topic=users/alice/../bob/notifications', bearer(bob), 400, 'invalid_topic'],
      // A subject that is not one topic segment never stands in for {sub}.
      [`topic=${A_TOPIC}`, bearer(signJwt('*', OWN)), 403, 'forbidden'],
      [`topic=${A_TOPIC}`, bearer(signJwt('alice/notifications', OWN)), 403, 'forbidden'],
      [`topic=${A_TOPIC}`, bearer(signJwt('alice', OWN, { secret: 'someone-elses-secret-of-32-characters!!' })), 401, 'unauthorized'],
      [`topic=${A_TOPIC}`, bearer(signJwt('alice', OWN, { alg: 'none' })), 401, 'unauthorized'],
      [`topic=${A_TOPIC}`, bearer(signJwt('alice', OWN, { expiresInS: -5 })), 401, 'unauthorized'],
      [`topic=${A_TOPIC}&access_token=${bob}&access_token=${alice}`, {}, 400, 'bad_request'],
      [`topic=${A_TOPIC}`, {}, 401, 'unauthorized'],
    ];
    for (const [query, headers, code, error] of cases) {
      expect([query, ...(await status(`/v1/events?${query}`, headers))]).toEqual([query, code, error]);
    }
  });

  it("gives B nothing of A's when B resumes with A's Last-Event-ID", async () => {
    const aliceFirst = sent[A_TOPIC]![0]!.id;
    expect(await status(`/v1/events?topic=${A_TOPIC}`, { ...bearer(bob), 'last-event-id': aliceFirst })).toEqual([403, 'forbidden']);
    const resumed = await open(`topic=${B_TOPIC}`, { ...bearer(bob), 'last-event-id': aliceFirst });
    const expected = sent[B_TOPIC]!.filter((e) => seq(e.id) > seq(aliceFirst)).map((e) => e.n);
    await resumed.waitFor((c) => c.events().length === expected.length, "bob's events after alice's id");
    expect(numbers(resumed)).toEqual(expected);
    expect(resumed.events().every((event) => event.topic === B_TOPIC)).toBe(true);
  });

  it("keeps A's presence and history from B and from anonymous readers", async () => {
    const presence = `/v1/presence/${A_TOPIC}`;
    await open(`topic=${A_TOPIC}&user=mallory`, bearer(alice));
    expect(await status(presence, bearer(bob))).toEqual([403, 'forbidden']);
    expect(await status(presence)).toEqual([401, 'unauthorized']);
    await expect
      .poll(async () => ((await (await fetch(`${server.url}${presence}`, { headers: bearer(alice) })).json()) as { members: { user: string }[] }).members)
      .toEqual([expect.objectContaining({ user: 'alice' })]);
    const history = `/v1/topics/${A_TOPIC}/history`;
    expect(await status(history, bearer(bob))).toEqual([403, 'forbidden']);
    expect(await status(history, { cookie: `ssehub_token=${bob}` })).toEqual([403, 'forbidden']);
    expect(await status(`${history}?access_token=${bob}`)).toEqual([403, 'forbidden']);
    expect(await status(history)).toEqual([401, 'unauthorized']);
    const own = (await (await fetch(`${server.url}${history}`, { headers: bearer(alice) })).json()) as {
      events: { type: string; data: { n: number; user: string } }[];
    };
    // Her own history holds her events only: presence joins are live-only signals, never stored.
    expect(own.events.filter((event) => event.type === 'test.n').map((event) => event.data.n)).toEqual(sent[A_TOPIC]!.map((e) => e.n));
    expect(own.events.filter((event) => event.type.startsWith('presence.'))).toEqual([]);
  });

  it("lets neither B nor an anonymous caller publish into A's topic", async () => {
    const post = (headers: Record<string, string>) =>
      fetch(`${server.url}/v1/publish`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ topic: A_TOPIC, type: 'x', data: { n: -1 } }),
      });
    expect((await post(bearer(bob))).status).toBe(403);
    expect((await post({})).status).toBe(401);
  });

  it('ends a stream when its token expires', async () => {
    const client = await open(`topic=${A_TOPIC}`, bearer(signJwt('alice', OWN, { expiresInS: 2 })));
    await client.ended;
    expect(client.comments.some((comment) => comment.includes('token expired'))).toBe(true);
  });
});
