import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SsehubError } from '@ssehub/protocol';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { sendJson } from './http-errors.js';
import { createRequestEdge } from './request-edge.js';
import { compilePath, createRouteTable, matchPath, type Route } from './route-table.js';

const logger = pino({ level: 'silent' });
let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** Serves the routes; a path no route has is answered 418 so the tests see the table declined it. */
async function serve(routes: readonly Route[], corsOrigins: readonly string[] = []): Promise<string> {
  const table = createRouteTable({ routes, logger, edge: createRequestEdge({ logger, corsOrigins }) });
  server = createServer((req, res) => {
    if (!table.serve(req, res, new URL(req.url ?? '/', 'http://test.invalid'))) sendJson(res, 418, { declined: true });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const echo: Route['handle'] = (_req, res, { params }) => sendJson(res, 200, params);

describe('path patterns', () => {
  it('match literals exactly, ":name" one segment and "*name" the rest, raw', () => {
    expect(matchPath('/v1/events', '/v1/events')).toEqual({});
    expect(matchPath('/v1/events', '/v1/events/')).toBeUndefined();
    expect(matchPath('/v1/rooms/:room/messages', '/v1/rooms/lobby/messages')).toEqual({ room: 'lobby' });
    expect(matchPath('/v1/rooms/:room/messages', '/v1/rooms/a/b/messages')).toBeUndefined();
    expect(matchPath('/v1/rooms/:room/messages', '/v1/rooms//messages')).toBeUndefined();
    expect(matchPath('/v1/presence/*topic', '/v1/presence/rooms%2Fa/b')).toEqual({ topic: 'rooms%2Fa/b' });
    expect(matchPath('/v1/presence/*topic', '/v1/presence/')).toEqual({ topic: '' });
    expect(matchPath('/v1/admin/topics/*topic/recent', '/v1/admin/topics/users/7/recent')).toEqual({ topic: 'users/7' });
  });

  it('match exactly by default, and as loosely as express when asked', () => {
    expect(matchPath('/v1/topics/*topic/history', '/V1/topics/a/history')).toBeUndefined();
    expect(matchPath('/v1/topics/*topic/history', '/v1/topics/a/history/')).toBeUndefined();
    const loose = compilePath('/v1/topics/*topic/history', { caseSensitive: false, trailingSlash: true });
    expect(matchPath(loose, '/V1/Topics/rooms/a/HISTORY/')).toEqual({ topic: 'rooms/a' });
    expect(matchPath(loose, '/v1/topics/rooms/a/history//')).toBeUndefined();
  });

  it('treat regular-expression characters in literals as plain text', () => {
    expect(compilePath('/v1/a.b').test('/v1/aXb')).toBe(false);
    expect(compilePath('/v1/a.b').test('/v1/a.b')).toBe(true);
  });
});

describe('the route table', () => {
  it('calls the handler of the first route whose path matches, with its raw parameters', async () => {
    const url = await serve([
      { methods: ['GET'], path: '/v1/things/:id', handle: echo },
      { methods: ['GET'], path: '/v1/things/*rest', handle: () => { throw new Error('not reached'); } },
    ]);
    const response = await fetch(`${url}/v1/things/a%20b`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ id: 'a%20b' });
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('declines a path no route has, so the app can answer it', async () => {
    const url = await serve([{ methods: ['GET'], path: '/v1/things', handle: echo }]);
    expect((await fetch(`${url}/v1/other`)).status).toBe(418);
  });

  it('answers another method with a JSON 405 and the route\'s methods in Allow', async () => {
    const url = await serve([{ methods: ['GET', 'HEAD'], path: '/v1/things', handle: echo }]);
    const response = await fetch(`${url}/v1/things`, { method: 'DELETE' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
    expect(await response.json()).toEqual({ error: { code: 'method_not_allowed', message: 'DELETE is not allowed here (allowed: GET, HEAD)' } });
  });

  it('leaves the method to a route that takes any', async () => {
    const url = await serve([{ methods: 'any', path: '/v1/things', handle: (req, res) => sendJson(res, 200, { method: req.method }) }]);
    expect(await (await fetch(`${url}/v1/things`, { method: 'PUT' })).json()).toEqual({ method: 'PUT' });
  });

  it('answers what a handler throws or rejects with through toWireError', async () => {
    const url = await serve([
      { methods: ['GET'], path: '/sync', handle: () => { throw new SsehubError('invalid_topic', 'bad topic'); } },
      { methods: ['GET'], path: '/async', errors: { internal: 'things could not be read' }, handle: async () => { throw new Error('boom'); } },
    ]);
    const sync = await fetch(`${url}/sync`);
    expect(sync.status).toBe(400);
    expect(await sync.json()).toEqual({ error: { code: 'invalid_topic', message: 'bad topic' } });
    const rejected = await fetch(`${url}/async`);
    expect(rejected.status).toBe(500);
    expect(await rejected.json()).toEqual({ error: { code: 'internal', message: 'things could not be read' } });
  });

  it('applies CORS before the method check, unless the route opts out', async () => {
    const url = await serve(
      [
        { methods: ['GET'], path: '/open', handle: echo },
        { methods: ['GET'], path: '/closed', cors: false, handle: echo },
      ],
      ['https://app.example'],
    );
    const preflight = { method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'GET' } };
    const open = await fetch(`${url}/open`, preflight);
    expect(open.status).toBe(204);
    expect(open.headers.get('access-control-allow-origin')).toBe('https://app.example');
    const closed = await fetch(`${url}/closed`, preflight);
    expect(closed.status).toBe(405);
    expect(closed.headers.get('access-control-allow-origin')).toBeNull();
  });
});
