// The environment variables the apps read, found by asking their config loaders rather than by a list
// kept by hand: each loader parses a zod object, which looks up every variable of its schema.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadGatewayConfig } from '@ssehub/gateway';
import { loadIngestConfig } from '@ssehub/ingest';
import { loadWebConfig } from '@ssehub/web';
import { REPO_ROOT } from './standalone.js';

/** Every variable name gateway, ingest and web look up (standalone reads the gateway's and the ingest's). */
export function variablesTheAppsRead(): string[] {
  const read = new Set<string>();
  const recording = new Proxy({} as Record<string, string | undefined>, {
    get(_target, name) {
      if (typeof name === 'string') read.add(name);
      return undefined;
    },
  });
  for (const load of [loadGatewayConfig, loadIngestConfig, loadWebConfig]) load(recording);
  return [...read].sort();
}

/** The variables turbo.json lets through to every task (turbo 2 hands a task only what it declares). */
export function turboPassThroughEnv(): string[] {
  const turbo = JSON.parse(readFileSync(join(REPO_ROOT, 'turbo.json'), 'utf8')) as { globalPassThroughEnv?: string[] };
  return [...(turbo.globalPassThroughEnv ?? [])].sort();
}
