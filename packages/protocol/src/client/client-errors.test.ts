import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createSsehubClient } from './client.js';
import { SsehubError } from '../errors.js';
import type { ConnectionState } from './subscription.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A real HTTP server on a free port answering with `handler`; every request's authorization recorded. */
async function serve(handler: Handler): Promise<{ url: string; authorizations: (string | undefined)[] }> {
  const authorizations: (string | undefined)[] = [];
  const server = createServer((req, res) => {
    authorizations.push(req.headers.authorization);
    handler(req, res);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, authorizations };
}

/** A port nothing listens on: one a server just gave back. */
async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

const jsonError = (status: number, code: string, message: string): Handler => (_req, res) => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify({ error: { code, message } }));
};

function sseStream(res: ServerResponse, n: number): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.write(`event: ssehub.ready\ndata: ${JSON.stringify({ node: 'n', topics: ['rooms/a'], resumed: false, cursor: 'a-0' })}\n\n`);
  res.write(`id: a-${n}\ndata: ${JSON.stringify({ id: `a-${n}`, topic: 'rooms/a', type: 'test.n', data: { n }, ts: 1 })}\n\n`);
}

/** Subscribes with `share` off and records errors and states until the subscription closes for good. */
function watch(client: ReturnType<typeof createSsehubClient>) {
  const errors: unknown[] = [];
  const events: unknown[] = [];
  const states: ConnectionState[] = [];
  let closed: () => void = () => {};
  const ended = new Promise<void>((resolve) => (closed = resolve));
  const subscription = client.subscribe({
    topics: ['rooms/a'],
    onEvent: (event) => events.push(event.data),
    onError: (error) => errors.push(error),
    onStateChange: (state) => {
      states.push(state);
      if (state === 'closed') closed();
    },
  });
  return { errors, events, states, ended, subscription };
}

describe('the typed client facing refusals and errors', () => {
  it('stops a subscription answered 401 twice: one retry with the token read again, then a typed error', async () => {
    const server = await serve(jsonError(401, 'unauthorized', 'the token expired'));
    let calls = 0;
    const client = createSsehubClient({ baseUrl: server.url, share: false, token: () => `token-${++calls}` });
    const watched = watch(client);
    await watched.ended;
    expect(server.authorizations).toEqual(['Bearer token-1', 'Bearer token-2']);
    expect(watched.errors).toHaveLength(1);
    const error = watched.errors[0] as SsehubError;
    expect(error).toBeInstanceOf(SsehubError);
    expect(error).toMatchObject({ code: 'unauthorized', status: 401, message: 'the token expired' });
    expect(error.url).toBe(`${server.url}/v1/events?topic=rooms%2Fa`);
    expect(watched.subscription.state).toBe('closed');
  });

  it('goes live when the refreshed token is accepted', async () => {
    const server = await serve((req, res) => {
      if (req.headers.authorization !== 'Bearer fresh') return jsonError(401, 'unauthorized', 'the token expired')(req, res);
      sseStream(res, 7);
    });
    const tokens = ['stale', 'fresh'];
    const client = createSsehubClient({ baseUrl: server.url, share: false, token: () => tokens.shift() ?? 'fresh' });
    const watched = watch(client);
    await expect.poll(() => watched.events).toEqual([{ n: 7 }]);
    expect(server.authorizations).toEqual(['Bearer stale', 'Bearer fresh']);
    expect(watched.errors).toEqual([]);
    watched.subscription.close();
  });

  it.each([false, true])('stops a subscription answered 403 at once (shared connection: %s)', async (share) => {
    const server = await serve(jsonError(403, 'forbidden', 'the token does not allow to subscribe to "rooms/a"'));
    const watched = watch(createSsehubClient({ baseUrl: server.url, share, token: 'static' }));
    await watched.ended;
    expect(server.authorizations).toHaveLength(1);
    expect(watched.errors).toHaveLength(1);
    expect(watched.errors[0]).toBeInstanceOf(SsehubError);
    expect(watched.errors[0]).toMatchObject({ code: 'forbidden', status: 403, message: 'the token does not allow to subscribe to "rooms/a"', url: `${server.url}/v1/events?topic=rooms%2Fa` });
    watched.subscription.close();
  });

  it('reports a server that is down with its URL, and keeps retrying', async () => {
    const url = await closedPort();
    const watched = watch(createSsehubClient({ baseUrl: url, share: false }));
    await expect.poll(() => watched.errors.length).toBeGreaterThanOrEqual(1);
    expect(String((watched.errors[0] as Error).message)).toContain(`${url}/v1/events?topic=rooms%2Fa`);
    expect(watched.states).toContain('reconnecting');
    watched.subscription.close();
    await watched.ended;
  });

  it('gives publish errors the server code, message, status and URL', async () => {
    const server = await serve(jsonError(400, 'invalid_topic', '"rooms/.." is not a topic'));
    const client = createSsehubClient({ baseUrl: server.url, retry: false });
    const error = await client.publish({ topic: 'rooms/a', type: 'chat.message', data: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SsehubError);
    expect(error).toMatchObject({ code: 'invalid_topic', status: 400, message: '"rooms/.." is not a topic', url: `${server.url}/v1/publish` });
  });

  it('names the URL when publish finds no server', async () => {
    const url = await closedPort();
    const client = createSsehubClient({ baseUrl: url, retry: false });
    const error = (await client.publish({ topic: 'rooms/a', type: 'chat.message', data: {} }).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toContain(`${url}/v1/publish`);
    expect(error.message).toMatch(/ECONNREFUSED/);
  });
});
