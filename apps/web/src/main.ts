// The `web` service of a cluster: serves the chat page; nginx routes /v1/* to gateways and ingest.
import type { Server } from 'node:http';
import { loadConfig } from './config.js';
import { WEB_ROOT } from './index.js';
import { createWebServer } from './web-server.js';

/** How long open connections may take to finish after SIGTERM. @default 5000 */
const SHUTDOWN_DEADLINE_MS = 5000;

function stopOnSignals(server: Server): void {
  const stop = (): void => {
    server.close(() => process.exit(0));
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), SHUTDOWN_DEADLINE_MS).unref();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

try {
  const config = loadConfig(process.env);
  const server = createWebServer({ root: WEB_ROOT });
  server.once('error', (error) => {
    console.error(`web server failed: ${error.message}`);
    process.exit(1);
  });
  server.listen(config.port, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    console.log(`ssehub web listening on http://localhost:${port}`);
  });
  stopOnSignals(server);
} catch (error) {
  // Bad configuration or a missing build: one clear line, no stack trace.
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
