// Hostile input against a RUNNING standalone (node apps/standalone/dist/main.js): every case gets a
// clear 4xx JSON error or correct handling, the process stays up, and a client connected for the whole
// suite receives every event of a steady publisher, in order, by sequence number.
import { openSse, ready, type SseTestClient, until } from '@ssehub/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionStorm, postOnce, seqOf, slowloris, startSteadyPublisher, type SteadyPublisher } from './support/hostile.js';
import { E2E_JWT_SECRET, bearer, signJwt } from './support/jwt.js';
import { errorCode, rawRequest, type RawAnswer } from './support/raw-http.js';
import { startStandalone, type StandaloneProcess } from './support/standalone.js';

const ENV = {
  JWT_SECRET: E2E_JWT_SECRET,
  HEADERS_TIMEOUT_S: '2',
  REQUEST_TIMEOUT_S: '3',
  MAX_CONNECTIONS_PER_IP: '1500',
  MAX_CONNECTIONS_PER_USER: '20',
  PUBLISH_RATE_PER_S: '50',
  PUBLISH_BURST: '100',
};
const STEADY = 'rooms/steady';
const publisher = signJwt('steady-publisher', { ssehub: { publish: [STEADY] } });

let server: StandaloneProcess;
let port = 0;
let steadyClient: SseTestClient;
let steady: SteadyPublisher;
let epoch = '';

/** A GET with the path exactly as given. */
const rawGet = (path: string, headers: string[] = []): Promise<RawAnswer> =>
  rawRequest(port, `GET ${path} HTTP/1.1\r\nHost: h\r\nAccept: text/event-stream\r\n${headers.map((h) => `${h}\r\n`).join('')}Connection: close\r\n\r\n`, {
    headOnly: false,
    timeoutMs: 3000,
  });
/** A POST of raw bytes to `path`. */
const rawPost = (path: string, headers: string[], body: string | Buffer): Promise<RawAnswer> =>
  rawRequest(port, Buffer.concat([Buffer.from(`POST ${path} HTTP/1.1\r\nHost: h\r\n${headers.map((h) => `${h}\r\n`).join('')}Connection: close\r\n\r\n`), Buffer.from(body)]));
const publishJson = (body: unknown, headers: string[] = []): Promise<RawAnswer> =>
  rawPost('/v1/publish', ['Content-Type: application/json', ...headers, `Content-Length: ${Buffer.byteLength(JSON.stringify(body))}`], JSON.stringify(body));

/** A clear 4xx: the status, a JSON body with that error code, never a stack trace. */
function expectError(answer: RawAnswer, status: number, code?: string): void {
  expect([answer.status, answer.headers['content-type']]).toEqual([status, 'application/json; charset=utf-8']);
  expect(errorCode(answer)).toBe(code ?? errorCode(answer));
  expect(answer.body).not.toMatch(/\bat [\w.<>]+ \(|node:internal/);
}

const BIG = 'a'.repeat(100 * 1024);
const THOUSAND = `${'a/'.repeat(999)}a`;
const BAD_TOPICS: [string, string, number[]][] = [
  // The gateway routes the raw path: a dot segment there is no route at all (404), never re-parsed.
  ['..', 'rooms/..', [400, 400, 400, 404]],
  ['a lone dot segment', 'rooms/.', [400, 400, 400, 404]],
  ['*', 'rooms/*', [400, 400, 400, 400]],
  ['>', 'rooms/>', [400, 400, 400, 400]],
  ['a NATS subject', 'rooms.>', [400, 400, 400, 400]],
  ['a dot', 'rooms/a.b', [400, 400, 400, 400]],
  ['a space', 'rooms/a b', [400, 400, 400, 400]],
  ['unicode', 'rooms/réunion', [400, 400, 400, 400]],
  ['an emoji', 'rooms/💬', [400, 400, 400, 400]],
  ['1,000 segments', THOUSAND, [400, 400, 400, 400]],
  ['100 KB', BIG, [431, 413, 431, 431]],
];

const TRICKY_DATA: unknown[] = [
  '\n\ndata: forged\n\nid: 999999\nevent: ssehub.reset\n\n',
  'lone\rCR',
  '\r\n\r\n',
  'nul\u0000inside',
  '\ud800',
  'x\udc00y',
  'a\ud83d',
  '\u2028\u2029\ufeff',
  { 'key\n\ndata: x': ['event: y', { '\r': '\u0000' }] },
];

interface HostileCase {
  readonly name: string;
  run(): Promise<void>;
}

const cases: HostileCase[] = [
  ...BAD_TOPICS.map(([label, topic, [events, publish, history, presence]]) => ({
    name: `a topic with ${label} on subscribe, publish, history and presence`,
    async run() {
      expectError(await rawGet(`/v1/events?topic=${encodeURIComponent(topic)}`), events!);
      expectError(await publishJson({ topic, type: 'x', data: 1 }), publish!);
      expectError(await rawGet(`/v1/topics/${encodeURI(topic)}/history`), history!);
      expectError(await rawGet(`/v1/presence/${encodeURI(topic)}`), presence!);
    },
  })),
  ...['a\r\nb', 'a\nid: 1', 'chat:message', 'ssehub.ready', '', 'x'.repeat(65), '\ud800'].map((type) => ({
    name: `an event type ${JSON.stringify(type).slice(0, 20)}`,
    run: async () => expectError(await publishJson({ topic: 'rooms/hostile', type, data: 1 }), 400, 'invalid_event'),
  })),
  {
    name: 'data with blank lines, data:/id: lines, lone CR, NUL, lone surrogates and bad UTF-8 bytes, delivered intact',
    async run() {
      const watcher = await openSse(`${server.url}/v1/events?topic=rooms/hostile-data`);
      await watcher.waitFor(ready, 'ready');
      for (const data of TRICKY_DATA) expect((await publishJson({ topic: 'rooms/hostile-data', type: 'x.data', data })).status).toBe(201);
      const prefix = Buffer.from('{"topic":"rooms/hostile-data","type":"x.data","data":"bad');
      const body = Buffer.concat([prefix, Buffer.from([0xff, 0xc3, 0x28]), Buffer.from('"}')]);
      expect((await rawPost('/v1/publish', ['Content-Type: application/json', `Content-Length: ${body.length}`], body)).status).toBe(201);
      await watcher.waitFor((c) => c.events().length === TRICKY_DATA.length + 1, 'every tricky event');
      expect(watcher.events().map((event) => event.data)).toEqual([...TRICKY_DATA, 'bad\ufffd\ufffd(']);
      expect(watcher.messages.filter((m) => m.event !== 'x.data').map((m) => m.event)).toEqual(['ssehub.ready']);
      watcher.close();
    },
  },
  {
    name: '10,000-deep nesting in data',
    async run() {
      const deep = `{"topic":"rooms/hostile","type":"x","data":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
      expectError(await rawPost('/v1/publish', ['Content-Type: application/json', `Content-Length: ${deep.length}`], deep), 400, 'bad_request');
    },
  },
  {
    name: 'a 10 MB body, declared and chunked',
    async run() {
      const big = Buffer.alloc(10 * 1024 * 1024, 0x61);
      expectError(await rawPost('/v1/publish', ['Content-Type: application/json', `Content-Length: ${big.length}`], big), 413, 'payload_too_large');
      const chunked = Buffer.concat([Buffer.from(`${big.length.toString(16)}\r\n`), big, Buffer.from('\r\n0\r\n\r\n')]);
      expectError(await rawPost('/v1/publish', ['Content-Type: application/json', 'Transfer-Encoding: chunked'], chunked), 413, 'payload_too_large');
    },
  },
  {
    name: 'truncated JSON and an empty body',
    async run() {
      const truncated = '{"topic":"rooms/hostile","type":"x","data":{"a":[1,2';
      expectError(await rawPost('/v1/publish', ['Content-Type: application/json', `Content-Length: ${truncated.length}`], truncated), 400, 'bad_request');
      expectError(await rawPost('/v1/publish', ['Content-Type: application/json', 'Content-Length: 0'], ''), 400, 'bad_request');
    },
  },
  {
    name: 'wrong content types and encodings',
    async run() {
      const body = JSON.stringify({ topic: 'rooms/hostile', type: 'x', data: 1 });
      for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=latin1', 'application/xml']) {
        expectError(await rawPost('/v1/publish', [`Content-Type: ${type}`, `Content-Length: ${body.length}`], body), 415, 'unsupported_media_type');
      }
      expectError(await rawPost('/v1/publish', [`Content-Length: ${body.length}`], body), 415, 'unsupported_media_type');
      expectError(await rawPost('/v1/publish', ['Content-Type: application/json', 'Content-Encoding: compress', `Content-Length: ${body.length}`], body), 415);
    },
  },
  {
    name: 'duplicated query parameters and headers',
    async run() {
      const twice = await rawRequest(port, 'GET /v1/events?topic=rooms/dup&topic=rooms/dup HTTP/1.1\r\nHost: h\r\n\r\n', { timeoutMs: 1500 });
      expect(twice.status).toBe(200);
      expect(twice.body).toContain('"topics":["rooms/dup"]');
      expectError(await rawGet('/v1/events?topic=rooms/dup&lastEventId=a-1&lastEventId=a-2'), 400, 'invalid_cursor');
      expectError(await rawGet('/v1/events?topic=rooms/dup&access_token=a&access_token=b'), 400, 'bad_request');
      expectError(await rawGet('/v1/events?topic=rooms/dup&user=a&user=b'), 400, 'bad_request');
      expectError(await rawGet('/v1/topics/rooms/dup/history?limit=1&limit=2'), 400, 'bad_request');
      expectError(await rawGet('/v1/topics/rooms/dup/history?after=a-1&after=a-2'), 400, 'bad_request');
      expectError(await rawGet('/v1/events?topic=rooms/dup', ['Last-Event-ID: a-1', 'Last-Event-ID: a-2']), 400, 'invalid_cursor');
    },
  },
  {
    name: 'forged Last-Event-IDs: garbage, huge, oversized, two partitions, another epoch, a future position',
    async run() {
      const withId = (id: string) => rawGet(`/v1/events?topic=${STEADY}`, [`Last-Event-ID: ${id}`]);
      expectError(await withId('garbage'), 400, 'invalid_cursor');
      expectError(await withId('\xff\xfe-1'), 400, 'invalid_cursor');
      expectError(await withId(`${epoch}-${'9'.repeat(10_000)}`), 400, 'invalid_cursor');
      expectError(await withId(`${epoch}-${'9'.repeat(20_000)}`), 431, 'headers_too_large');
      expectError(await withId(`${epoch}-1.5`), 400, 'invalid_cursor');
      for (const id of ['zz0000-5', `${epoch}-999999999999`]) {
        const answer = await rawRequest(port, `GET /v1/events?topic=${STEADY} HTTP/1.1\r\nHost: h\r\nLast-Event-ID: ${id}\r\n\r\n`, { timeoutMs: 1000 });
        expect(answer.status).toBe(200);
        expect(answer.body).toMatch(/event: ssehub\.reset\ndata: \{"reason":"epoch"/);
      }
    },
  },
  {
    name: 'forged and malformed tokens',
    async run() {
      const forged = [
        signJwt('steady-publisher', { ssehub: { publish: [STEADY] } }, { alg: 'none' }),
        signJwt('steady-publisher', { ssehub: { publish: [STEADY] } }, { secret: 'not-the-secret-but-32-characters-long!!' }),
        // Past the default 5 s clock tolerance.
        signJwt('steady-publisher', { ssehub: { publish: [STEADY] } }, { expiresInS: -60 }),
        signJwt('x', { ssehub: { subscribe: ['users/>'] } }),
        `${publisher}x`,
        'a'.repeat(9000),
      ];
      for (const token of forged) expectError(await publishJson({ topic: STEADY, type: 'steady.n', data: { n: -1 } }, [`Authorization: Bearer ${token}`]), 401, 'unauthorized');
      expectError(await publishJson({ topic: STEADY, type: 'x', data: 1 }, ['Authorization: Basic YTpi']), 401, 'unauthorized');
      expectError(await rawGet('/v1/events?topic=users/a/x', ['Cookie: ssehub_token=%00%0d%0a']), 401, 'unauthorized');
    },
  },
  {
    name: 'oversized headers, malformed HTTP, traversal paths, wrong methods, a foreign preflight',
    async run() {
      expectError(await rawGet('/v1/events?topic=rooms/a', [`Cookie: ${'c'.repeat(17_000)}`]), 431, 'headers_too_large');
      expectError(await rawRequest(port, '\x00\x01GARBAGE\r\n\r\n'), 400, 'bad_request');
      expectError(await rawRequest(port, 'GET /v1/events?topic=rooms/a HTTP/1.1\r\nHost: h\r\nBad Header: x\r\n\r\n'), 400, 'bad_request');
      for (const path of ['/../../../../etc/passwd', '/%2e%2e/%2e%2e/%2e%2e/etc/passwd', '/..%2f..%2f..%2fetc%2fpasswd', '/index.html%00.js']) {
        const answer = await rawGet(path);
        expect([path, answer.status >= 400 && answer.status < 500]).toEqual([path, true]);
        expect(answer.body).not.toContain('root:');
      }
      expectError(await rawRequest(port, 'DELETE /v1/events?topic=rooms/a HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n'), 405);
      expectError(await rawRequest(port, 'PUT /v1/publish HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'), 405);
      const preflight = 'OPTIONS /v1/publish HTTP/1.1\r\nHost: h\r\nOrigin: https://evil.example\r\nAccess-Control-Request-Method: POST\r\nConnection: close\r\n\r\n';
      expectError(await rawRequest(port, preflight), 403, 'forbidden');
    },
  },
  {
    name: 'slowloris: idle sockets, headers and bodies dripping, 30 of each, all cut with 408',
    async run() {
      const started = Date.now();
      const { idle, headers, body } = await slowloris(port, 30, 6000);
      for (const answer of [...idle, ...headers]) {
        expectError(answer, 408, 'request_timeout');
        expect(answer.closedAfterMs).toBeLessThan(2000 + 1500);
      }
      for (const answer of body) {
        expectError(answer, 408, 'request_timeout');
        expect(answer.closedAfterMs).toBeLessThan(3000 + 1500);
      }
      expect(Date.now() - started).toBeLessThan(6000);
    },
  },
  {
    name: '2,000 connections opened and dropped at once',
    async run() {
      const outcome = await connectionStorm(port, '/v1/events?topic=rooms/storm', 2000);
      expect(outcome.droppedEarly).toBe(1000);
      // Every connection that waited got a stream, or a 429 while dropped ones still held their slots.
      const { 200: streams = 0, 429: refused = 0 } = outcome.statuses;
      expect([streams + refused, streams >= 900], JSON.stringify(outcome.statuses)).toEqual([1000, true]);
      await expect.poll(async () => openStreams(), { timeout: 10_000 }).toBeLessThanOrEqual(1);
    },
  },
  {
    name: 'more connections from one address and one user than allowed: 429, slots freed on close',
    async run() {
      const hog = bearer(signJwt('hog'));
      const opened = await Promise.all(Array.from({ length: 25 }, () => openSse(`${server.url}/v1/events?topic=rooms/hog`, hog)));
      expect(opened.filter((c) => c.status === 429)).toHaveLength(5);
      for (const client of opened) client.close();
      // The slots come back as the server sees the closes.
      await expect.poll(() => streamStatus(`/v1/events?topic=rooms/hog`, hog)).toBe(200);
      const storm = await connectionStorm(port, '/v1/events?topic=rooms/storm', 3400);
      expect(storm.statuses[429]).toBeGreaterThan(100);
      await expect.poll(async () => openStreams(), { timeout: 10_000 }).toBeLessThanOrEqual(1);
    },
  },
  {
    name: 'a publisher flooding past its rate: 429 with Retry-After, others unaffected',
    async run() {
      const flooder = [`Authorization: Bearer ${signJwt('flooder', { ssehub: { publish: ['rooms/flood'] } })}`];
      const answers = await Promise.all(Array.from({ length: 200 }, (_, n) => publishJson({ topic: 'rooms/flood', type: 'x', data: n }, flooder)));
      const limited = answers.filter((a) => a.status === 429);
      expect(limited.length).toBeGreaterThan(50);
      expect(answers.filter((a) => a.status === 201).length).toBeGreaterThanOrEqual(100);
      for (const answer of limited) expect([answer.headers['retry-after'], errorCode(answer)]).toEqual(['1', 'rate_limited']);
    },
  },
];

/** The status of a stream request; a stream that opens is closed again at once. */
async function streamStatus(path: string, headers: Record<string, string>): Promise<number> {
  const client = await openSse(`${server.url}${path}`, headers);
  client.close();
  return client.status;
}

async function openStreams(): Promise<number> {
  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  return Number(/^ssehub_gateway_connections (\d+)/m.exec(metrics)?.[1] ?? Number.NaN);
}

describe('hostile input against a running standalone', () => {
  beforeAll(async () => {
    server = await startStandalone(ENV);
    port = Number(new URL(server.url).port);
    steadyClient = await openSse(`${server.url}/v1/events?topic=${STEADY}`);
    await steadyClient.waitFor(ready, 'steady client ready');
    steady = startSteadyPublisher(server.url, STEADY, bearer(publisher), 25);
    await until(() => steady.acked.length > 0 || steady.failures.length > 0, 'the first steady publish');
    epoch = steady.acked[0]!.split('-')[0]!;
  });
  afterAll(async () => {
    await steady?.stop();
    steadyClient?.close();
    await server?.stop();
  });

  it.each(cases)('$name', async ({ run }) => {
    await run();
    expect(server.process.child.exitCode).toBeNull();
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('a client connected throughout noticed nothing: every steady event, once, in order', async () => {
    const total = await steady.stop();
    expect(steady.failures).toEqual([]);
    expect(total).toBeGreaterThan(100);
    await steadyClient.waitFor((c) => c.events().length >= total, `${total} steady events`, 15_000);
    const events = steadyClient.events();
    expect(events.map((event) => event.data.n)).toEqual(Array.from({ length: total }, (_, n) => n));
    expect(events.map((event) => event.id)).toEqual(steady.acked);
    const seqs = events.map((event) => seqOf(event.id));
    for (let i = 1; i < seqs.length; i += 1) expect(seqs[i]).toBeGreaterThan(seqs[i - 1]!);
    expect(steadyClient.messages.filter((m) => !m.hasId).map((m) => m.event)).toEqual(['ssehub.ready']);
    expect(server.process.child.exitCode).toBeNull();
  });
});
