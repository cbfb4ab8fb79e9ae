import type { ServerResponse } from 'node:http';

/** How a stream's body is framed: chunked for HTTP/1.1, until-close for HTTP/1.0 clients. */
export type BodyFraming = 'chunked' | 'close';

// Rebuilt at most once a second per framing: a connect costs no date formatting and no string keys.
let cached: { second: number; framing: BodyFraming; headers: object; head: Buffer } | undefined;

function build(headers: Readonly<Record<string, string | number | readonly string[]>>, date: string, framing: BodyFraming): Buffer {
  let head = 'HTTP/1.1 200 OK\r\n';
  for (const [name, value] of Object.entries(headers)) {
    // Framing and connection handling are this function's to set.
    if (name === 'transfer-encoding' || name === 'content-length' || (framing === 'close' && name === 'connection')) continue;
    for (const one of Array.isArray(value) ? value : [value]) head += `${name}: ${String(one)}\r\n`;
  }
  head += framing === 'chunked' ? 'transfer-encoding: chunked\r\n' : 'connection: close\r\n';
  return Buffer.from(`${head}date: ${date}\r\n\r\n`, 'latin1');
}

/**
 * The raw response head of an SSE stream, written to the socket with the first frames: `headers`
 * plus whatever was already set on `res` (CORS, `connection: close` while draining), which wins.
 * Node's own head would be kept per response as a string tree of ~20 parts; this one is a
 * transient Buffer, shared by every stream of the same second when `res` carries no headers.
 */
export function responseHead(res: ServerResponse, headers: Readonly<Record<string, string>>, framing: BodyFraming): Buffer {
  const second = Math.floor(Date.now() / 1000);
  if (res.getHeaderNames().length > 0) return build({ ...headers, ...res.getHeaders() } as Record<string, string>, httpDate(second), framing);
  if (cached?.second !== second || cached.framing !== framing || cached.headers !== headers) {
    cached = { second, framing, headers, head: build(headers, httpDate(second), framing) };
  }
  return cached.head;
}

/** The `date:` value of a second (ms since the epoch / 1000), as Node writes it. */
function httpDate(second: number): string {
  return new Date(second * 1000).toUTCString();
}
