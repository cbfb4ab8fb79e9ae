import type { ServerResponse } from 'node:http';

/** How a stream's body is framed: chunked for HTTP/1.1, until-close for HTTP/1.0 clients. */
export type BodyFraming = 'chunked' | 'close';

let cached: { key: string; headers: object; head: Buffer } | undefined;

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
  const date = new Date().toUTCString();
  if (res.getHeaderNames().length > 0) return build({ ...headers, ...res.getHeaders() } as Record<string, string>, date, framing);
  const key = `${date} ${framing}`;
  if (cached?.key !== key || cached.headers !== headers) cached = { key, headers, head: build(headers, date, framing) };
  return cached.head;
}
