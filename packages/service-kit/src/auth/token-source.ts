import type { IncomingMessage } from 'node:http';
import { SsehubError } from '@ssehub/protocol';

/** The cookie a browser may carry its token in. @default "ssehub_token" */
export const TOKEN_COOKIE = 'ssehub_token';
/** The query parameter a token may come in (it lands in access logs; prefer the header). @default "access_token" */
export const TOKEN_QUERY_PARAM = 'access_token';
/** Longest token read; longer ones are refused before any cryptography. @default 8192 */
export const MAX_TOKEN_LENGTH = 8192;

const BEARER = /^Bearer +([^\s]+) *$/i;

function fromCookie(header: string | undefined): string | undefined {
  if (!header) return undefined;
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq > 0 && pair.slice(0, eq).trim() === TOKEN_COOKIE) return pair.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
  }
  return undefined;
}

function fromQuery(url: string | undefined): string | undefined {
  const query = url?.split('?')[1];
  if (!query || !query.includes(TOKEN_QUERY_PARAM)) return undefined;
  const values = new URLSearchParams(query).getAll(TOKEN_QUERY_PARAM);
  if (values.length > 1) throw new SsehubError('bad_request', `${TOKEN_QUERY_PARAM} is given more than once`);
  return values[0];
}

/**
 * The token a request carries: `Authorization: Bearer`, else the `ssehub_token` cookie, else the
 * `access_token` query parameter. Throws 401 for a malformed Authorization header or an oversized token.
 */
export function readToken(req: IncomingMessage): string | undefined {
  const authorization = req.headers.authorization;
  let token: string | undefined;
  if (authorization !== undefined) {
    token = BEARER.exec(authorization)?.[1];
    if (token === undefined) throw new SsehubError('unauthorized', 'the Authorization header must be "Bearer <token>"');
  } else {
    token = fromCookie(req.headers.cookie) ?? fromQuery(req.url);
  }
  if (token === undefined || token === '') return undefined;
  if (token.length > MAX_TOKEN_LENGTH) throw new SsehubError('unauthorized', `the token is longer than ${MAX_TOKEN_LENGTH} characters`);
  return token;
}

/** `url` with the value of any `access_token` parameter replaced, for logs. */
export function redactToken(url: string): string {
  return url.replace(/([?&]access_token=)[^&#]*/gi, '$1REDACTED');
}
