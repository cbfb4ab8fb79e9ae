import type { ServerResponse } from 'node:http';

/** How a stream's body is framed: chunked for HTTP/1.1, until-close for HTTP/1.0 clients. */
export type BodyFraming = 'chunked' | 'close';

type HeaderValue = string | number | readonly string[];

// Framing and connection handling are this file's to set.
const FRAMING_HEADERS = new Set(['transfer-encoding', 'content-length', 'connection']);

function headerLines(headers: Iterable<[string, HeaderValue | undefined]>, framing: BodyFraming): string {
  let lines = '';
  for (const [name, value] of headers) {
    if (value === undefined || name === 'transfer-encoding' || name === 'content-length' || (framing === 'close' && name === 'connection')) continue;
    for (const one of Array.isArray(value) ? value : [value]) lines += `${name}: ${String(one)}\r\n`;
  }
  return lines;
}

function framingLine(framing: BodyFraming): string {
  return framing === 'chunked' ? 'transfer-encoding: chunked\r\n' : 'connection: close\r\n';
}

/** The head's text before and after the response's own headers, for one second and framing. */
interface HeadParts {
  readonly second: number;
  readonly framing: BodyFraming;
  readonly headers: object;
  readonly before: string;
  readonly after: string;
  /** The whole head when the response carries no headers of its own. */
  readonly bare: Buffer;
}

// Rebuilt at most once a second per framing: a connect costs no date formatting.
let cached: HeadParts | undefined;

function parts(headers: Readonly<Record<string, string>>, framing: BodyFraming): HeadParts {
  const second = Math.floor(Date.now() / 1000);
  if (cached?.second === second && cached.framing === framing && cached.headers === headers) return cached;
  const before = `HTTP/1.1 200 OK\r\n${headerLines(Object.entries(headers), framing)}`;
  const after = `${framingLine(framing)}date: ${new Date(second * 1000).toUTCString()}\r\n\r\n`;
  cached = { second, framing, headers, before, after, bare: Buffer.from(before + after, 'latin1') };
  return cached;
}

/**
 * The raw response head of an SSE stream, written to the socket with the first frames: `headers`
 * plus whatever was already set on `res` (request id, CORS, `connection: close` while draining),
 * which wins. Node's own head would be kept per response as a string tree of ~20 parts; this one is
 * a transient Buffer: the fixed part is built once a second, the response's own lines are appended.
 */
export function responseHead(res: ServerResponse, headers: Readonly<Record<string, string>>, framing: BodyFraming): Buffer {
  const head = parts(headers, framing);
  const names = res.getHeaderNames();
  if (names.length === 0) return head.bare;
  // A header of the response that replaces one of `headers`, or framing, keeps its place: built whole.
  if (names.some((name) => Object.hasOwn(headers, name) || FRAMING_HEADERS.has(name))) {
    const merged = { ...headers, ...res.getHeaders() } as Record<string, HeaderValue>;
    return Buffer.from(`HTTP/1.1 200 OK\r\n${headerLines(Object.entries(merged), framing)}${head.after}`, 'latin1');
  }
  const own = headerLines(names.map((name) => [name, res.getHeader(name) as HeaderValue | undefined]), framing);
  return Buffer.from(head.before + own + head.after, 'latin1');
}
