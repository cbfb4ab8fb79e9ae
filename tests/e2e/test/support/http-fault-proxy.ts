import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the proxy saw. */
export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** The status the client got: the injected one, or the server's. */
  status: number;
}

/** An HTTP proxy in front of a real server that answers some requests itself, the way an overloaded LB does. */
export interface HttpFaultProxy {
  readonly url: string;
  readonly seen: SeenRequest[];
  /** The next `count` requests are answered with `status` (and a JSON error body) instead of being forwarded. */
  failNext(count: number, status: number, headers?: Record<string, string>): void;
  close(): Promise<void>;
}

const CODES: Record<number, string> = { 429: 'rate_limited', 502: 'unavailable', 503: 'unavailable', 504: 'unavailable' };

/** Starts the proxy on a free loopback port, forwarding to `target` (`http://127.0.0.1:<port>`). */
export async function startHttpFaultProxy(target: string): Promise<HttpFaultProxy> {
  const upstream = new URL(target);
  const seen: SeenRequest[] = [];
  const faults: { status: number; headers: Record<string, string> }[] = [];
  const server = createServer((req, res) => {
    const entry: SeenRequest = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, status: 0 };
    seen.push(entry);
    const fault = faults.shift();
    if (fault) {
      entry.status = fault.status;
      req.resume();
      const body = JSON.stringify({ error: { code: CODES[fault.status] ?? 'internal', message: 'injected by the test proxy' } });
      res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
      return void res.end(body);
    }
    const forward = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        entry.status = answer.statusCode ?? 0;
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    failNext(count, status, headers = {}) {
      for (let n = 0; n < count; n++) faults.push({ status, headers });
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
