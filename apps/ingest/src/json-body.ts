import { SsehubError } from '@ssehub/protocol';
import express, { type RequestHandler } from 'express';

/** Deepest nesting of arrays and objects a request body may have. @default 64 */
export const MAX_JSON_DEPTH = 64;

const JSON_MEDIA_TYPE = /^application\/(?:[a-z0-9.+-]+\+)?json$/;

// JSON is UTF-8 (RFC 8259); a charset parameter, if given, must say so.
const CHARSET_PARAM = /;\s*charset\s*=\s*"?([^";\s]*)/i;

function isJsonContentType(header: string | undefined): boolean {
  const mediaType = header?.split(';', 1)[0]?.trim().toLowerCase() ?? '';
  const charset = header?.match(CHARSET_PARAM)?.[1]?.toLowerCase() ?? 'utf-8';
  return JSON_MEDIA_TYPE.test(mediaType) && (charset === 'utf-8' || charset === 'utf8');
}

// Iterative, so a body of 60,000 nested brackets cannot overflow the stack here; rejecting it
// keeps such data out of the log, where every later JSON.stringify would have to recurse through it.
function exceedsDepth(value: unknown, maxDepth: number): boolean {
  const stack: Array<readonly [unknown, number]> = [[value, 1]];
  for (let entry = stack.pop(); entry; entry = stack.pop()) {
    const [current, depth] = entry;
    if (current === null || typeof current !== 'object') continue;
    if (depth > maxDepth) return true;
    for (const child of Object.values(current)) stack.push([child, depth + 1]);
  }
  return false;
}

const requireJsonContentType: RequestHandler = (req, _res, next) => {
  const header = req.headers['content-type'];
  if (isJsonContentType(header)) return next();
  const got = header === undefined ? 'no content type' : `"${header.slice(0, 100)}"`;
  next(new SsehubError('unsupported_media_type', `the body must be UTF-8 application/json (got ${got})`));
};

function parseJson(text: string): unknown {
  if (text.trim() === '') throw new SsehubError('bad_request', 'the body is empty; expected a JSON object');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new SsehubError('bad_request', `the body is not valid JSON: ${(error as Error).message.slice(0, 200)}`);
  }
  if (exceedsDepth(value, MAX_JSON_DEPTH)) {
    throw new SsehubError('bad_request', `the body nests deeper than ${MAX_JSON_DEPTH} levels`);
  }
  return value;
}

const parseJsonBody: RequestHandler = (req, _res, next) => {
  req.body = parseJson(typeof req.body === 'string' ? req.body : '');
  next();
};

/** Middleware for a JSON POST: 415 unless the content type is JSON, then read at most `maxBytes`, then parse with capped nesting. */
export function jsonBody(maxBytes: number): RequestHandler[] {
  // The body is read as text (charset, gzip and the size limit handled by express) and parsed here,
  // so an empty body and bad JSON get their own messages. The content type was checked first.
  return [requireJsonContentType, express.text({ limit: maxBytes, type: () => true }), parseJsonBody];
}
