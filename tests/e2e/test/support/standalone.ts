import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { freePort, startProcess, waitForHttp, type RunningProcess } from '@ssehub/testkit';

/** The repository root, for spawning built apps. */
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** A standalone ssehub process on a free port. */
export interface StandaloneProcess {
  readonly url: string;
  readonly process: RunningProcess;
  /** Publishes through the HTTP API and answers the event id. */
  publish(topic: string, data: unknown, headers?: Record<string, string>): Promise<string>;
  stop(): Promise<void>;
}

/** Starts `node apps/standalone/dist/main.js` with extra env and waits for /readyz. */
export async function startStandalone(env: Record<string, string> = {}, port?: number): Promise<StandaloneProcess> {
  const main = join(REPO_ROOT, 'apps/standalone/dist/main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: run "pnpm turbo run build" first`);
  const chosen = port ?? (await freePort());
  const url = `http://127.0.0.1:${chosen}`;
  const child = startProcess(process.execPath, [main], {
    cwd: REPO_ROOT,
    // The delivery tests publish thousands of events from one address: the publish rate limit is off
    // unless a test sets it (the hostile-input and auth suites do).
    env: { ...process.env, PORT: String(chosen), LOG_LEVEL: 'warn', PUBLISH_RATE_PER_S: '0', ...env },
  });
  try {
    await waitForHttp(`${url}/readyz`, 30_000);
  } catch (error) {
    await child.stop();
    throw new Error(`standalone did not get ready:\n${child.output()}`, { cause: error });
  }
  return {
    url,
    process: child,
    async publish(topic, data, headers = {}) {
      const response = await fetch(`${url}/v1/publish`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ topic, type: 'test.n', data }),
      });
      if (response.status !== 201) throw new Error(`publish answered ${response.status}: ${await response.text()}`);
      return ((await response.json()) as { id: string }).id;
    },
    stop: () => child.stop(),
  };
}
