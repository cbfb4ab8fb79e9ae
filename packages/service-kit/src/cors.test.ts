import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CORS_ENV_SHAPE, createCors } from './cors.js';

async function serve(origins: string[]): Promise<{ url: string; server: Server }> {
  const cors = createCors(origins);
  const server = createServer((req, res) => {
    if (cors(req, res)) return;
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

const preflight = { 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' };

describe('createCors with an allowlist', () => {
  let app: { url: string; server: Server };
  beforeAll(async () => {
    app = await serve(['https://app.example.com']);
  });
  afterAll(() => app.server.close());

  it('echoes an allowed origin with credentials, never *', async () => {
    const response = await fetch(app.url, { headers: { origin: 'https://app.example.com' } });
    expect(response.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
    expect(response.headers.get('vary')).toBe('origin');
  });

  it('adds nothing for another origin', async () => {
    const response = await fetch(app.url, { headers: { origin: 'https://evil.example' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers a preflight for POST with JSON and Authorization', async () => {
    const response = await fetch(app.url, { method: 'OPTIONS', headers: { origin: 'https://app.example.com', ...preflight } });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-methods')).toContain('POST');
    expect(response.headers.get('access-control-allow-headers')).toContain('authorization');
    expect(response.headers.get('access-control-allow-headers')).toContain('content-type');
  });

  it('refuses the preflight of an origin not on the list with a JSON 403', async () => {
    const response = await fetch(app.url, { method: 'OPTIONS', headers: { origin: 'https://evil.example', ...preflight } });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('forbidden');
  });
});

describe('CORS_ORIGINS', () => {
  const schema = z.object(CORS_ENV_SHAPE);

  it('reads origins, or * alone', () => {
    expect(schema.parse({}).CORS_ORIGINS).toEqual([]);
    expect(schema.parse({ CORS_ORIGINS: 'https://a.example, http://localhost:3000' }).CORS_ORIGINS).toEqual([
      'https://a.example',
      'http://localhost:3000',
    ]);
    expect(schema.parse({ CORS_ORIGINS: '*' }).CORS_ORIGINS).toEqual(['*']);
  });

  it.each(['*,https://a.example', 'https://a.example/', 'a.example', 'https://a.example/path'])('refuses %s', (value) => {
    expect(schema.safeParse({ CORS_ORIGINS: value }).success).toBe(false);
  });

  it('sends * without credentials when any origin is allowed', async () => {
    const app = await serve(['*']);
    const response = await fetch(app.url, { headers: { origin: 'https://any.example' } });
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    app.server.close();
  });
});
