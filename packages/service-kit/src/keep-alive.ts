import type { Server, ServerResponse } from 'node:http';

const inFlight = new WeakMap<Server, Set<ServerResponse>>();

// One shared listener, added with `on` (a `once` wraps it in a bound function per response): SSE
// responses live long and there are many.
function forget(this: ServerResponse): void {
  const server = (this.socket as { server?: Server } | null)?.server;
  if (server) inFlight.get(server)?.delete(this);
}

/**
 * Returns a switch that makes every response from then on, including those of requests already in
 * flight, close its connection. Without it a keep-alive connection outlives its last response by
 * `keepAliveTimeout`, and `server.close()` waits for it. Call before the server takes requests.
 */
export function closeConnectionsAfterResponse(server: Server): () => void {
  const pending = new Set<ServerResponse>();
  inFlight.set(server, pending);
  let closing = false;
  server.on('request', (_req, res: ServerResponse) => {
    if (closing) res.setHeader('connection', 'close');
    pending.add(res);
    res.on('close', forget);
  });
  return () => {
    closing = true;
    for (const res of pending) if (!res.headersSent) res.setHeader('connection', 'close');
  };
}
