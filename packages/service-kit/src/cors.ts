import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { sendError } from './http-errors.js';

const ORIGIN_MESSAGE = 'expected "*" alone, or comma-separated origins like https://app.example.com (scheme, host, optional port)';

function isOrigin(value: string): boolean {
  try {
    return new URL(value).origin === value;
  } catch {
    return false;
  }
}

/** `CORS_ORIGINS`: the browser origins allowed to call the API from other sites. */
export const CORS_ENV_SHAPE = {
  CORS_ORIGINS: z.preprocess(
    (value) => (value === undefined ? '' : value),
    z
      .string()
      .transform((value) => value.split(',').map((item) => item.trim()).filter((item) => item.length > 0))
      .refine((list) => (list.includes('*') ? list.length === 1 : list.every(isOrigin)), { message: ORIGIN_MESSAGE }),
  ),
};

/** Request headers a cross-origin caller may send. */
const ALLOWED_HEADERS = 'authorization, content-type, idempotency-key, last-event-id, accept';

/**
 * Applies the CORS allowlist to a request: sets the response headers for an allowed origin and answers
 * preflights (204, or 403 for an origin not on the list). Returns true when it answered. `*` allows any
 * origin without credentials; a listed origin is echoed with `Access-Control-Allow-Credentials: true`,
 * so `*` and credentials never go together.
 */
export function createCors(origins: readonly string[]): (req: IncomingMessage, res: ServerResponse) => boolean {
  const anyOrigin = origins.includes('*');
  const allowed = new Set(origins);
  return (req, res) => {
    const origin = req.headers.origin;
    if (origins.length === 0 && req.method !== 'OPTIONS') return false;
    if (!anyOrigin) res.setHeader('vary', 'origin');
    const ok = origin !== undefined && (anyOrigin || allowed.has(origin));
    if (ok) {
      res.setHeader('access-control-allow-origin', anyOrigin ? '*' : origin);
      if (!anyOrigin) res.setHeader('access-control-allow-credentials', 'true');
      res.setHeader('access-control-expose-headers', 'retry-after');
    }
    if (req.method !== 'OPTIONS' || req.headers['access-control-request-method'] === undefined) return false;
    if (!ok) {
      sendError(res, 'forbidden', `origin ${String(origin).slice(0, 100)} is not allowed (CORS_ORIGINS)`);
      return true;
    }
    res.writeHead(204, {
      'access-control-allow-methods': 'GET, HEAD, POST',
      'access-control-allow-headers': ALLOWED_HEADERS,
      'access-control-max-age': '600',
      'content-length': '0',
    });
    res.end();
    return true;
  };
}
