import { join } from 'node:path';
import { freePort, startProcess, waitForHttp, type RunningProcess } from '@ssehub/testkit';
import { REPO_ROOT } from './standalone.js';

/** A gateway or ingest process a test started. */
export interface AppProcess {
  readonly url: string;
  readonly process: RunningProcess;
}

/** Starts a built app (`gateway`, `ingest`) on a free port without waiting for it to be ready. */
export async function spawnApp(app: 'gateway' | 'ingest', env: Record<string, string>): Promise<AppProcess> {
  const port = await freePort();
  const child = startProcess(process.execPath, [join(REPO_ROOT, `apps/${app}/dist/main.js`)], {
    cwd: REPO_ROOT,
    env: { ...process.env, PORT: String(port), LOG_LEVEL: 'warn', NODE_ID: `${app}-${port}`, ...env },
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/healthz`, 20_000).catch((error: unknown) => {
    throw new Error(`${app} did not start:\n${child.output()}`, { cause: error });
  });
  return { url, process: child };
}

/** POSTs one event; answers the status and body. */
export async function publishTo(url: string, topic: string, data: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${url}/v1/publish`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ topic, type: 'test.n', data }),
  });
  return { status: response.status, body: await response.json() };
}
