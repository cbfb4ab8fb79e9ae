import type { AddressInfo } from 'node:net';
import { serveIpc } from '../ipc.js';
import { createBareYardstick } from './bare-http.js';
import { createExpressYardstick } from './express-app.js';

/** Which yardstick a process serves (`BENCH_YARDSTICK`). */
export type YardstickKind = 'bare' | 'express';

/** What the bench asks a yardstick process. */
export type YardstickRequest = { readonly op: 'port' } | { readonly op: 'gc' } | { readonly op: 'memory' };

// A yardstick server in its own process, pinned like the other targets; the bench asks its port over IPC.
const server = process.env.BENCH_YARDSTICK === 'express' ? createExpressYardstick() : createBareYardstick();
const listening = new Promise<number>((resolve) => {
  server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, () => resolve((server.address() as AddressInfo).port));
});

serveIpc(async (request: YardstickRequest) => {
  switch (request.op) {
    case 'port':
      return listening;
    case 'gc':
      (globalThis as { gc?: () => void }).gc?.();
      return true;
    case 'memory':
      return process.memoryUsage();
  }
});
