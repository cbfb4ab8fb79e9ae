import { SsehubError } from '@ssehub/protocol';
import express, { type NextFunction, type Request, type RequestHandler } from 'express';

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

/**
 * True when the JSON text nests deeper than `maxDepth`. A body with no more brackets than that cannot
 * (nearly every one), so most are answered by one pass over the text; otherwise the parsed value is
 * walked iteratively, so 60,000 nested brackets cannot overflow the stack here. Rejecting it keeps such
 * data out of the log, where every later JSON.stringify would have to recurse through it.
 */
function exceedsDepth(text: string, value: unknown, maxDepth: number): boolean {
  let brackets = 0;
  for (let i = 0; i < text.length && brackets <= maxDepth; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x7b || code === 0x5b) brackets++;
  }
  if (brackets <= maxDepth) return false;
  const stack: Array<readonly [unknown, number]> = [[value, 1]];
  for (let entry = stack.pop(); entry; entry = stack.pop()) {
    const [current, depth] = entry;
    if (current === null || typeof current !== 'object') continue;
    if (depth > maxDepth) return true;
    for (const child of Object.values(current)) stack.push([child, depth + 1]);
  }
  return false;
}

function parseJson(text: string): unknown {
  if (text.trim() === '') throw new SsehubError('bad_request', 'the body is empty; expected a JSON object');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new SsehubError('bad_request', `the body is not valid JSON: ${(error as Error).message.slice(0, 200)}`);
  }
  if (exceedsDepth(text, value, MAX_JSON_DEPTH)) {
    throw new SsehubError('bad_request', `the body nests deeper than ${MAX_JSON_DEPTH} levels`);
  }
  return value;
}

/** The message of a 413 for a body over the limit. */
const tooLarge = (maxBytes: number): SsehubError => new SsehubError('payload_too_large', `the body is larger than ${maxBytes} bytes`);

/** A request's body being read: kept on the request itself, so the listeners are shared by every request. */
interface BodyRead {
  readonly maxBytes: number;
  readonly next: NextFunction;
  chunks: Buffer[];
  bytes: number;
  done: boolean;
}

const BODY_READ = Symbol('ssehub.bodyRead');
type Reading = Request & { [BODY_READ]?: BodyRead };

function finish(req: Reading, error: SsehubError | undefined): void {
  const read = req[BODY_READ]!;
  if (read.done) return;
  // The listeners stay: the request is done with, and a late chunk finds `done` set.
  read.done = true;
  if (error) return answerAfterBody(req, read.next, error);
  const text = read.chunks.length === 1 ? read.chunks[0]!.toString('utf8') : Buffer.concat(read.chunks, read.bytes).toString('utf8');
  read.chunks = [];
  try {
    // As express's text parser decoded it: a leading byte order mark is not part of the JSON.
    req.body = parseJson(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (parseError) {
    return read.next(parseError);
  }
  read.next();
}

/**
 * Reads off the rest of a refused body before answering, as express's body parser does: a client still
 * writing its body when the answer comes and the socket closes gets a reset, and may never read the answer.
 * The server's request timeout bounds a body that never ends.
 */
function answerAfterBody(req: Request, next: NextFunction, error: SsehubError): void {
  if (req.complete || req.destroyed) return next(error);
  let answered = false;
  const answer = (): void => {
    if (answered) return;
    answered = true;
    next(error);
  };
  req.once('end', answer);
  req.once('close', answer);
  req.resume();
}

function onData(this: Reading, chunk: Buffer): void {
  const read = this[BODY_READ]!;
  if (read.done) return;
  read.bytes += chunk.length;
  if (read.bytes > read.maxBytes) return finish(this, tooLarge(read.maxBytes));
  read.chunks.push(chunk);
}

function onEnd(this: Reading): void {
  finish(this, undefined);
}

function onAborted(this: Reading): void {
  finish(this, new SsehubError('bad_request', 'the request was aborted before its body was read'));
}

function parseInto(req: Request, next: NextFunction, text: string): void {
  try {
    req.body = parseJson(text);
  } catch (error) {
    return next(error);
  }
  next();
}

/**
 * Middleware for a JSON POST, in one step: 415 unless the content type is UTF-8 JSON, then read at
 * most `maxBytes` (413 past it) and parse with capped nesting into `req.body`, so an empty body and
 * bad JSON get their own messages. A compressed body (`Content-Encoding`) is read by express's text
 * parser, which inflates it within the same limit.
 */
export function jsonBody(maxBytes: number): RequestHandler {
  const inflating = express.text({ limit: maxBytes, type: () => true });
  return (req: Reading, res, next) => {
    const header = req.headers['content-type'];
    if (!isJsonContentType(header)) {
      const got = header === undefined ? 'no content type' : `"${header.slice(0, 100)}"`;
      return next(new SsehubError('unsupported_media_type', `the body must be UTF-8 application/json (got ${got})`));
    }
    const encoding = req.headers['content-encoding'];
    if (encoding !== undefined && encoding.toLowerCase() !== 'identity') {
      return void inflating(req, res, (error?: unknown) => {
        if (error) return next(error);
        parseInto(req, next, typeof req.body === 'string' ? req.body : '');
      });
    }
    const length = req.headers['content-length'];
    if (length === undefined && req.headers['transfer-encoding'] === undefined) return parseInto(req, next, '');
    if (length !== undefined && Number(length) > maxBytes) return answerAfterBody(req, next, tooLarge(maxBytes));
    req[BODY_READ] = { maxBytes, next, chunks: [], bytes: 0, done: false };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('aborted', onAborted);
  };
}
