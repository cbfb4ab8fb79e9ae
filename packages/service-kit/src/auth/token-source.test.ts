import type { IncomingMessage } from 'node:http';
import { SsehubError } from '@ssehub/protocol';
import { describe, expect, it } from 'vitest';
import { MAX_TOKEN_LENGTH, readToken, redactToken } from './token-source.js';

function req(url: string, headers: Record<string, string> = {}): IncomingMessage {
  return { url, headers } as unknown as IncomingMessage;
}

function codeOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    if (error instanceof SsehubError) return error.code;
    throw error;
  }
  return 'none';
}

describe('readToken', () => {
  it('reads the Authorization header, then the cookie, then the query', () => {
    expect(readToken(req('/?access_token=q', { authorization: 'Bearer h', cookie: 'ssehub_token=c' }))).toBe('h');
    expect(readToken(req('/?access_token=q', { authorization: 'bearer   h2 ' }))).toBe('h2');
    expect(readToken(req('/?access_token=q', { cookie: 'a=1; ssehub_token=c; b=2' }))).toBe('c');
    expect(readToken(req('/v1/events?topic=a&access_token=q'))).toBe('q');
    expect(readToken(req('/v1/events?topic=a', { cookie: 'other=1' }))).toBeUndefined();
    expect(readToken(req('/v1/events?access_token='))).toBeUndefined();
  });

  it.each([
    ['a Basic header', req('/', { authorization: 'Basic YTpi' }), 'unauthorized'],
    ['a Bearer without token', req('/', { authorization: 'Bearer ' }), 'unauthorized'],
    ['two tokens in the header', req('/', { authorization: 'Bearer a b' }), 'unauthorized'],
    ['an oversized token', req('/', { authorization: `Bearer ${'a'.repeat(MAX_TOKEN_LENGTH + 1)}` }), 'unauthorized'],
    ['a repeated access_token', req('/?access_token=a&access_token=b'), 'bad_request'],
  ])('refuses %s', (_name, request, code) => {
    expect(codeOf(() => readToken(request))).toBe(code);
  });

  it('redacts query tokens for logs', () => {
    expect(redactToken('/v1/events?topic=a&access_token=eyJ.x.y&b=1')).toBe('/v1/events?topic=a&access_token=REDACTED&b=1');
    expect(redactToken('/v1/events?access_token=eyJ')).toBe('/v1/events?access_token=REDACTED');
  });
});
