import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMMUTABLE_CACHE, createStaticHandler } from './static-handler.js';

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

// http.request sends the target exactly as given; fetch() would normalise `..` away first.
function rawRequest(port: number, target: string, method = 'GET', headers: Record<string, string> = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: target, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end();
  });
}

const SECRET = 'do-not-serve-this';
let dir: string;
let server: Server;
let port: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ssehub-web-static-'));
  const root = join(dir, 'site');
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), `{"secret":"${SECRET}"}`);
  writeFileSync(join(dir, 'secret.txt'), SECRET);
  writeFileSync(join(root, 'index.html'), `<!doctype html><title>chat</title>${'<p>hello</p>'.repeat(200)}`);
  writeFileSync(join(root, 'app-AB12CD34.js'), 'console.log("app");');
  writeFileSync(join(root, 'assets', 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  writeFileSync(join(root, '.env'), SECRET);
  writeFileSync(join(root, 'notes.unknown'), SECRET);
  symlinkSync(join(dir, 'secret.txt'), join(root, 'linked.txt'));
  const serve = createStaticHandler({ root });
  server = createServer((req, res) => {
    if (serve(req, res)) return;
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"code":"not_found","message":"no"}}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

describe('createStaticHandler', () => {
  it('serves index.html for / with no-cache and a content security policy', async () => {
    const response = await rawRequest(port, '/');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['cache-control']).toBe('no-cache');
    expect(response.headers['content-security-policy']).toContain("default-src 'self'");
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.body).toContain('<title>chat</title>');
  });

  it('lets browsers keep content-hashed assets for a year', async () => {
    const response = await rawRequest(port, '/app-AB12CD34.js?v=1');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(response.headers['cache-control']).toBe(IMMUTABLE_CACHE);
    expect(response.body).toBe('console.log("app");');
  });

  it('serves files in subdirectories with their content type', async () => {
    const response = await rawRequest(port, '/assets/logo.svg');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('image/svg+xml');
  });

  it('answers HEAD with the headers and no body', async () => {
    const response = await rawRequest(port, '/index.html', 'HEAD');
    expect(response.status).toBe(200);
    expect(Number(response.headers['content-length'])).toBeGreaterThan(0);
    expect(response.body).toBe('');
  });

  it('answers 304 when the ETag still matches', async () => {
    const first = await rawRequest(port, '/');
    const second = await rawRequest(port, '/', 'GET', { 'if-none-match': String(first.headers.etag) });
    expect(second.status).toBe(304);
    expect(second.body).toBe('');
  });

  it('gzips text when the client accepts it', async () => {
    const response = await rawRequest(port, '/', 'GET', { 'accept-encoding': 'br, gzip' });
    expect(response.headers['content-encoding']).toBe('gzip');
    expect(response.headers.vary).toBe('accept-encoding');
  });

  it('leaves other methods and unknown paths to the caller', async () => {
    expect((await rawRequest(port, '/', 'POST')).status).toBe(404);
    expect((await rawRequest(port, '/missing.js')).status).toBe(404);
    expect((await rawRequest(port, '/v1/events')).status).toBe(404);
  });

  it.each([
    '/../package.json',
    '/../secret.txt',
    '/%2e%2e/secret.txt',
    '/%2e%2e%2fsecret.txt',
    '/..%2fsecret.txt',
    '/..%5csecret.txt',
    '/assets/../../secret.txt',
    '/assets/%2e%2e/%2e%2e/secret.txt',
    '//../secret.txt',
    '/%252e%252e/secret.txt',
    '/index.html%00.txt',
    '/%00',
    '/%E0%A4%A',
    '/.env',
    '/linked.txt',
    '/notes.unknown',
  ])('refuses %s', async (target) => {
    const response = await rawRequest(port, target);
    expect(response.status).toBe(404);
    expect(response.body).not.toContain(SECRET);
  });

  it('fails loudly when the root was never built', () => {
    expect(() => createStaticHandler({ root: join(dir, 'nope') })).toThrow(/pnpm --filter @ssehub\/web build/);
  });
});
