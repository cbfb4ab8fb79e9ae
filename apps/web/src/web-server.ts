import { createServer, type Server, type ServerResponse } from 'node:http';
import { createStaticHandler } from './static-handler.js';

/** Options of {@link createWebServer}. */
export interface WebServerOptions {
  /** Directory with the built page. */
  root: string;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}

/** The `web` service: the chat page, health endpoints, and JSON 404s for everything else. */
export function createWebServer(options: WebServerOptions): Server {
  const serveStatic = createStaticHandler({ root: options.root });
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0];
    if (req.method === 'GET' && (path === '/healthz' || path === '/readyz')) {
      sendJson(res, 200, { status: 'ok' });
    } else if (!serveStatic(req, res)) {
      sendJson(res, 404, { error: { code: 'not_found', message: `nothing at ${req.method ?? 'GET'} ${path ?? '/'}` } });
    }
  });
}
